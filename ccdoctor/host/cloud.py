"""Which cloud this machine runs in, from the firmware strings Linux exposes (no network)."""

from __future__ import annotations

from pathlib import Path

from ccdoctor.knowledge.credentials import CLOUD_HOST_MARKERS, DMI_FILES

DMI_DIRECTORY = Path("/sys/class/dmi/id")


def cloud_vendor() -> str | None:
    """ "aws" or "gcp" when the DMI strings name the cloud, else None (including on macOS and in
    containers that hide /sys)."""
    for name in DMI_FILES:
        try:
            text = (DMI_DIRECTORY / name).read_text(encoding="utf-8", errors="replace").lower()
        except OSError:
            continue
        for marker, vendor in CLOUD_HOST_MARKERS:
            if marker in text:
                return vendor
    return None
