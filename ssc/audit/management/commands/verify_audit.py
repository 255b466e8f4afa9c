"""``manage.py verify_audit`` — verify the SM3 hash chain of the audit trail (审计日志完整性校验).

Exit status 0 and ``OK: N events verified`` when every event matches its hash and the chain head; exit
status 1 and the first broken link (seq and reason, in Chinese and English) otherwise.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ssc.audit.verification import CHUNK_SIZE, verify_chain


def _positive(value: str) -> int:
    import argparse

    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为正整数 / must be a positive integer: {value!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"应为正整数 / must be a positive integer: {value!r}")
    return n


class Command(BaseCommand):
    help = "校验审计日志的 SM3 哈希链 / Verify the SM3 hash chain of the audit trail."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--from-seq",
            type=_positive,
            default=1,
            help="从该序号开始校验（信任其前一个事件的哈希）/ start at this seq, trusting the previous event's hash",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=0,
            help="并行校验的进程数，0 为自动 / worker processes, 0 = auto (CPU count for long chains)",
        )
        parser.add_argument(
            "--chunk-size",
            type=_positive,
            default=CHUNK_SIZE,
            help="每次从数据库读取的行数 / rows fetched per round trip",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        if options["workers"] < 0:
            raise CommandError("--workers 应为 0 或正整数 / must be 0 or a positive integer")
        result = verify_chain(
            from_seq=options["from_seq"], chunk_size=options["chunk_size"], workers=options["workers"]
        )
        elapsed = time.perf_counter() - started
        if result.ok:
            self.stdout.write(
                self.style.SUCCESS(f"OK: {result.checked} events verified")
                + f" (seq {result.from_seq}–{result.head_seq}, {elapsed:.1f} s, {result.workers} process(es); "
                f"链头 / head #{result.head_seq} sm3 {result.head_hash})"
            )
            return
        brk = result.broken
        assert brk is not None
        self.stdout.write(f"{result.checked} events verified before the break.")
        raise CommandError(
            f"审计链在第 {brk.seq} 号事件处断裂：{brk.reason_zh}\nAudit chain broken at seq {brk.seq}: {brk.reason_en}",
            returncode=1,
        )
