"""``python -m provisioning provision|doctor …`` (``kiosk provision`` and ``kiosk doctor`` hand over here)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from provisioning.doctor import DoctorOptions, print_report, run_doctor
from provisioning.errors import Interrupted, ProvisioningError
from provisioning.printers import PrinterRequest
from provisioning.provision import ProvisionOptions, run_provision

EXIT_FAILED = 2  # provisioning could not finish; nothing half-installed
EXIT_UNFIT = 1  # doctor: at least one check failed
EXIT_INTERRUPTED = 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk", description="Set up and check a kiosk or display box")
    sub = parser.add_subparsers(dest="command", required=True)
    prov = sub.add_parser("provision", help="enrol this box and install the display, agent and services (as root)")
    prov.add_argument("--server", help="the hall server, e.g. https://signage.example.gov.cn")
    prov.add_argument("--kind", choices=["kiosk", "wall"], help="what this box is (default: what the console says)")
    prov.add_argument("--root", type=Path, default=Path("/"), help="write into this directory tree instead of /")
    prov.add_argument("--dry-run", action="store_true", help="print the plan; change nothing, contact nothing")
    prov.add_argument("--uninstall", action="store_true", help="remove what provisioning installed, restore the rest")
    prov.add_argument("--re-enrol", action="store_true", help="enrol again even if this box is enrolled")
    prov.add_argument("--ntp-server", help="a time server for systemd-timesyncd (default: Debian's pool)")
    prov.add_argument("--json", action="store_true", help="machine-readable output")
    printers = prov.add_argument_group("printers (a kiosk; left out: keep what the last run set up)")
    printers.add_argument(
        "--slip-printer", metavar="network:HOST[:PORT]|usb:VVVV:PPPP|none", help="the ESC/POS receipt printer"
    )
    printers.add_argument("--slip-paper", type=int, metavar="80|58", help="its paper width in mm (default 80)")
    printers.add_argument("--a4-printer", metavar="cups:QUEUE|none", help="the A4 printer: a CUPS queue")
    printers.add_argument("--a4-printer-uri", metavar="URI", help="create the queue: ipp://…, ipps://…, socket://…")
    doc = sub.add_parser(
        "doctor", help="check this box: server, clock, TLS, display, readers, sound, disk, services, printers"
    )
    doc.add_argument("--server", help="the hall server (default: the one this box is enrolled with)")
    doc.add_argument("--root", type=Path, default=Path("/"), help="read the box's files from this tree")
    doc.add_argument("--json", action="store_true", help="the report as JSON (docs/provisioning.md)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "doctor":
            report = run_doctor(DoctorOptions(args.server, args.root))
            if args.json:
                print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
            else:
                print_report(report, sys.stdout)
            return 0 if report.ok else EXIT_UNFIT
        options = ProvisionOptions(
            server_url=args.server,
            kind=args.kind,
            root=args.root,
            dry_run=args.dry_run,
            uninstall=args.uninstall,
            re_enrol=args.re_enrol,
            json=args.json,
            ntp_server=args.ntp_server,
            printers=PrinterRequest(args.slip_printer, args.slip_paper, args.a4_printer, args.a4_printer_uri),
        )
        return run_provision(options)
    except Interrupted as err:
        print(f"kiosk {args.command}: {err}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except ProvisioningError as err:
        print(f"kiosk {args.command}: {err}", file=sys.stderr)
        return EXIT_FAILED
    except OSError as err:  # a read-only or full disk, a path that is a directory: one line, not a traceback
        print(f"kiosk {args.command}: {err.strerror or err}: {err.filename or ''}".rstrip(": "), file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        again = "run it again to finish, or kiosk provision --uninstall to undo" if args.command == "provision" else ""
        print(f"kiosk {args.command}: interrupted{'; ' + again if again else ''}", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    raise SystemExit(main())
