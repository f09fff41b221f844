"""Pick the build of the Rust extension this CPU can run and load it as ``algebra._native``.

A wheel carries the extension twice: the baseline x86-64 build (``algebra/_native.abi3.so``,
portable arkworks field arithmetic, runs on every x86-64 CPU and is the only build on other
architectures) and, on x86-64, a build for x86-64-v3 with ADX
(``algebra/_native_builds/x86-64-v3/_native.abi3.so``) whose field multiplication is
ark-ff's mulx/adcx/adox assembly, chosen at compile time. Loading the fast build on a CPU
without BMI2/ADX would die with SIGILL, so the CPU is checked first; the environment
variable ``ZKM_NATIVE_CPU=portable`` forces the baseline build (and, read again inside the
extension, turns off its run-time-chosen AVX-512 IFMA kernels too).

Both builds export ``PyInit__native`` and the same functions, so whichever is loaded is
registered under the one name ``algebra._native`` before anything imports it.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import os
import platform
import sys
from pathlib import Path
from types import ModuleType

CPU_ENV = "ZKM_NATIVE_CPU"
MODULE_NAME = "algebra._native"
BUILDS_DIR = Path(__file__).resolve().parent / "_native_builds"
# What the x86-64-v3 build's instructions assume (x86-64-v3 plus ADX), as /proc/cpuinfo spells it.
V3_CPU_FLAGS = frozenset(
    {"avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "abm", "movbe", "xsave", "adx"}
)


def forced_portable() -> bool:
    """Whether ``ZKM_NATIVE_CPU=portable`` asks for the portable code everywhere."""
    return os.environ.get(CPU_ENV, "").strip().lower() == "portable"


def cpu_flags() -> frozenset[str]:
    """The CPU feature flags the kernel reports (Linux ``/proc/cpuinfo``), else empty.

    Off Linux the fast build is not shipped, so no detection is needed there.
    """
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as info:
            for line in info:
                if line.startswith("flags"):
                    return frozenset(line.partition(":")[2].split())
    except OSError:
        pass
    return frozenset()


def _fast_build_path() -> Path | None:
    """The x86-64-v3 build's file, if this install has one."""
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        candidate = BUILDS_DIR / "x86-64-v3" / f"_native{suffix}"
        if candidate.is_file():
            return candidate
    return None


def choose_build() -> tuple[str, Path | None]:
    """Return ``(name, path)`` of the build to load; path None means the baseline import.

    The fast build is chosen only on x86-64 when it is installed, the CPU has every
    feature it was compiled for, and ``ZKM_NATIVE_CPU`` is not ``portable``.
    """
    fast = _fast_build_path()
    if fast is None:
        return "baseline", None
    if forced_portable():
        return "baseline", None
    if platform.machine().lower() not in {"x86_64", "amd64"}:
        return "baseline", None
    if not cpu_flags() >= V3_CPU_FLAGS:
        return "baseline", None
    return "x86-64-v3", fast


def load_native() -> ModuleType:
    """Import the chosen build once as ``algebra._native`` and return it.

    Raises:
        ImportError: when no build of the extension is installed.
    """
    loaded = sys.modules.get(MODULE_NAME)
    if loaded is not None:
        return loaded
    name, path = choose_build()
    if path is None:
        module = importlib.import_module(MODULE_NAME)
    else:
        spec = importlib.util.spec_from_file_location(MODULE_NAME, path)
        if spec is None or spec.loader is None:  # pragma: no cover - file checked above
            raise ImportError(f"cannot load the native build at {path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[MODULE_NAME] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[MODULE_NAME]
            raise
        import algebra

        algebra._native = module  # type: ignore[attr-defined]
    module.__zkm_build__ = name  # type: ignore[attr-defined]
    return module


def build_name() -> str:
    """The name of the loaded build (``baseline`` or ``x86-64-v3``), loading it if needed."""
    return str(getattr(load_native(), "__zkm_build__", "baseline"))
