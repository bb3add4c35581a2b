#!/usr/bin/env bash
# Installs the Debian packages Hague's tools and tests need (exiftool, ffmpeg, chromium, poppler, zbar, libmagic,
# Ukrainian hunspell, wrk) when any is missing, and links hunspell into a local PostgreSQL.
# Needs root (as on CI and the developers' machines) or sudo.
set -euo pipefail
need=()
command -v exiftool >/dev/null || need+=(libimage-exiftool-perl)
command -v ffmpeg >/dev/null || need+=(ffmpeg)
command -v chromium >/dev/null || need+=(chromium)
command -v pdftotext >/dev/null || need+=(poppler-utils)
command -v zbarimg >/dev/null || need+=(zbar-tools)
command -v openssl >/dev/null || need+=(openssl)
ldconfig -p | grep -q libmagic.so.1 || need+=(libmagic1)
[ -f /usr/share/hunspell/uk_UA.dic ] || need+=(hunspell-uk)
command -v wrk >/dev/null || need+=(wrk)  # the web benchmark's load generator
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
if [ ${#need[@]} -gt 0 ]; then
  echo "installing Debian packages: ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
# A local PostgreSQL finds hunspell dictionaries through links in its tsearch_data folder (Ukrainian search stemming).
if command -v pg_updatedicts >/dev/null && ! ls /usr/share/postgresql/*/tsearch_data/uk_ua.affix >/dev/null 2>&1; then
  $SUDO pg_updatedicts || true
fi
