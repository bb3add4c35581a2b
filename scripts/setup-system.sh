#!/usr/bin/env bash
# Installs the Debian packages Hague's tools and tests need (exiftool, ffmpeg, chromium, poppler, zbar, libmagic,
# Ukrainian hunspell) when any is missing. Needs root (as on CI and the developers' machines) or sudo.
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
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "installing Debian packages: ${need[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
