#!/usr/bin/env bash
# The programs the browser test and the Word/PDF test need: chromium and chromedriver
# (Selenium), soffice (LibreOffice, DOCX → PDF) and pdftotext (poppler).
#
# Only in CI (CI=true): installs whatever of them is missing with apt-get, and fails with a
# clear message if a program is still missing afterwards. Outside CI it does nothing; the tests
# that need the programs skip and say why. Idempotent: when all four programs are on PATH it
# does nothing, also in CI. `make test` runs it before pytest.
set -euo pipefail

TOOLS=(chromium chromedriver soffice pdftotext)
declare -A PACKAGE=(
    [chromium]=chromium
    [chromedriver]=chromium-driver
    [soffice]=libreoffice-writer-nogui
    [pdftotext]=poppler-utils
)

missing_tools() {
    local tool
    for tool in "${TOOLS[@]}"; do
        command -v "$tool" >/dev/null 2>&1 || printf '%s\n' "$tool"
    done
}

ci="${CI:-}"
if [ "${ci,,}" != "true" ]; then
    exit 0  # not CI: nothing to do
fi

mapfile -t missing < <(missing_tools)
if [ "${#missing[@]}" -eq 0 ]; then
    exit 0  # everything is there already
fi

packages=()
for tool in "${missing[@]}"; do
    packages+=("${PACKAGE[$tool]}")
done
echo "ci_tools: ${missing[*]} missing; installing ${packages[*]} with apt-get" >&2

if ! command -v apt-get >/dev/null 2>&1; then
    echo "ci_tools: ERROR: ${missing[*]} not found and apt-get is not available: install" \
         "the packages ${packages[*]} (or their equivalents) in the CI image." >&2
    exit 1
fi
sudo=()
if [ "${EUID:-$(id -u)}" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        sudo=(sudo -n)
    else
        echo "ci_tools: ERROR: ${missing[*]} not found, and installing ${packages[*]} needs" \
             "root: run CI as root or with passwordless sudo." >&2
        exit 1
    fi
fi

run_apt() {  # env after sudo: sudo drops the caller's environment
    ${sudo[@]+"${sudo[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get "$@"
}
apt_install() {
    run_apt install -y --no-install-recommends "${packages[@]}"
}

# Update the package lists only when the install fails (a fresh image has none, or stale ones).
if ! apt_install; then
    echo "ci_tools: apt-get install failed; running apt-get update and trying again" >&2
    run_apt update || true
    if ! apt_install; then
        echo "ci_tools: ERROR: apt-get install ${packages[*]} failed (see the apt-get output" \
             "above)." >&2
        exit 1
    fi
fi

mapfile -t missing < <(missing_tools)
if [ "${#missing[@]}" -gt 0 ]; then
    echo "ci_tools: ERROR: still not on PATH after installing ${packages[*]}:" \
         "${missing[*]}. The browser and Word/PDF tests need chromium, chromedriver, soffice" \
         "and pdftotext." >&2
    exit 1
fi
echo "ci_tools: chromium, chromedriver, soffice and pdftotext are installed" >&2
