"""Chain of custody (ISO/IEC 27037, NIST SP 800-61, CASE/UCO).

Events with write-time rules, import of other systems' logs, anomaly report, PDF report and labels.
"""
