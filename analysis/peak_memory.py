"""A process's own peak memory, for the packet's helper processes to report.

Not `ru_maxrss`: across `exec` Linux keeps the peak of the process that started this one
(a packet holding a million answers), and a fork starts from its parent's; the benchmark
would count the packet's memory twice.
"""

from __future__ import annotations

import resource
from pathlib import Path


def peak_memory_mb() -> float:
    """This process's peak resident memory (VmHWM), in MB; `ru_maxrss` where there is no /proc."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
