"""Evidence register: organisations, cases, incidents, items with ERNs, files and derivatives, intake."""
