"""Generate Python code (messages, .pyi stubs, gRPC stubs) from protos/.

The one way to produce zhongtai/<package>/v1/*_pb2*.py. Never edit the output.

    python scripts/gen_protos.py            # regenerate in place
    python scripts/gen_protos.py --check    # fail if the committed code is stale
"""

from __future__ import annotations

import argparse
import filecmp
import shutil
import sys
import tempfile
from pathlib import Path

from grpc_tools import protoc

ROOT = Path(__file__).resolve().parent.parent
PROTOS = ROOT / "protos"
SUFFIXES = ("_pb2.py", "_pb2.pyi", "_pb2_grpc.py")


def generate(out: Path) -> list[Path]:
    files = sorted(PROTOS.rglob("*.proto"))
    include = Path(protoc.__file__).parent / "_proto"
    args = [
        "protoc",
        f"-I{PROTOS}",
        f"-I{include}",
        f"--python_out={out}",
        f"--pyi_out={out}",
        f"--grpc_python_out={out}",
        *(str(f.relative_to(PROTOS)) for f in files),
    ]
    if protoc.main(args) != 0:
        raise SystemExit("protoc failed")
    produced = []
    for f in files:
        pkg_dir = out / f.relative_to(PROTOS).parent
        for d in [pkg_dir, *pkg_dir.relative_to(out).parents]:
            init = out / d / "__init__.py" if d != pkg_dir else d / "__init__.py"
            if init.parent != out and not init.exists():
                init.write_text("")
        produced.extend(p for p in pkg_dir.iterdir() if p.name.endswith(SUFFIXES))
    return produced


def generated_in(tree: Path) -> dict[str, Path]:
    """Generated files under tree's zhongtai/ package, by relative path."""
    return {
        str(p.relative_to(tree)): p
        for p in (tree / "zhongtai").rglob("*")
        if p.name.endswith(SUFFIXES)
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true", help="fail if generated code is stale")
    ns = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        generate(out)
        fresh = generated_in(out)
        current = generated_in(ROOT)
        stale = sorted(
            k for k in fresh.keys() | current.keys()
            if k not in fresh or k not in current or not filecmp.cmp(fresh[k], current[k], False)
        )
        if ns.check:
            if stale:
                print("generated protobuf code is stale; run: python scripts/gen_protos.py")
                for k in stale:
                    print("  " + k)
                return 1
            print(f"generated protobuf code is up to date ({len(fresh)} files)")
            return 0
        for k in stale:
            if k not in fresh:
                current[k].unlink()
                continue
            dest = ROOT / k
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(fresh[k], dest)
            for parent in dest.relative_to(ROOT).parents:
                init = ROOT / parent / "__init__.py"
                if parent != Path(".") and not init.exists():
                    init.write_text("")
        print(f"regenerated {len(stale)} of {len(fresh)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
