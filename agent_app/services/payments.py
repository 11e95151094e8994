"""Collect contributions and void mistaken ones (append-only money)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlmodel import Session, select

from agent_app.domain import coverage, tariffs
from agent_app.domain.receipts import receipt_number
from agent_app.domain.reference import ReferenceData
from agent_app.services.access import require, require_void
from agent_app.services.base import (
    Clock,
    ServiceError,
    audit,
    device_id,
    enqueue,
    get_meta,
    new_id,
    next_counter,
)
from agent_app.services.merge import current_worker
from agent_app.services.workers import WorkerService
from agent_app.store.db import Database
from agent_app.store.models import Payment, User, Worker

METHODS = ("cash", "qris", "transfer")
PERIOD_CHOICES = (1, 3, 6, 12)

PAYMENT_FIELDS = (
    "id", "receipt_no", "kind", "worker_id", "months", "amount", "breakdown", "method",
    "tariff_version", "voids_payment_id", "void_reason", "collected_at", "collected_by",
    "device_id",
)


def payment_payload(payment: Payment) -> dict:
    data = {name: getattr(payment, name) for name in PAYMENT_FIELDS}
    data["months"] = json.loads(payment.months)
    data["breakdown"] = json.loads(payment.breakdown)
    return data


@dataclass(frozen=True)
class PaymentOptions:
    worker_id: str
    payable: coverage.PayableMonths
    choices: dict[int, list[str]]  # months ahead -> the months that choice pays


class PaymentService:
    def __init__(self, db: Database, ref: ReferenceData, clock: Clock, workers: WorkerService) -> None:
        self.db = db
        self.ref = ref
        self.clock = clock
        self.workers = workers

    def options(self, worker_id: str) -> PaymentOptions:
        with self.db.read() as s:
            worker = self._worker(s, worker_id)
            paid = self.workers.paid_months(s, worker.id)
        payable = coverage.payable_months(
            registration_month=worker.registration_month,
            paid_months=paid,
            today=self.clock.today(),
        )
        return PaymentOptions(
            worker.id, payable, {n: payable.options(n) for n in PERIOD_CHOICES}
        )

    def quote(self, worker_id: str, months: list[str]) -> tariffs.Quote:
        with self.db.read() as s:
            worker = self._worker(s, worker_id)
        return self._quote(worker, months)

    def _quote(self, worker: Worker, months: list[str]) -> tariffs.Quote:
        return tariffs.quote(
            self.ref,
            income=worker.declared_income,
            months=months,
            sector=worker.policy_sector,
            programmes=json.loads(worker.programmes),
        )

    @staticmethod
    def _worker(s: Session, worker_id: str) -> Worker:
        """The live worker (for an alias merged here, its canonical record)."""
        worker = current_worker(s, worker_id)
        if worker is None or worker.deleted:
            raise ServiceError("worker.not_found")
        return worker

    def _next_receipt(self, s: Session) -> str:
        device_id(s)
        prefix = get_meta(s, "receipt_prefix", "")  # made with the device id
        seq = next_counter(s, "receipt_seq")
        return receipt_number(prefix, seq, self.clock.today().year)

    def collect(self, actor: User, worker_id: str, months_ahead: int, method: str) -> Payment:
        """Record cash (or QRIS/transfer) received for the next ``months_ahead`` months.

        The months are always recomputed here from what is already paid, so a stale
        screen can never charge a month twice on this device.
        """
        require(actor, "collect")
        if method not in METHODS:
            raise ServiceError("payment.method")
        if months_ahead not in PERIOD_CHOICES:
            raise ServiceError("payment.period")
        now = self.clock.stamp()
        today = self.clock.today()
        with self.db.write() as s:
            worker = self._worker(s, worker_id)
            paid = self.workers.paid_months(s, worker.id)
            payable = coverage.payable_months(
                registration_month=worker.registration_month, paid_months=paid, today=today
            )
            months = payable.options(months_ahead)
            quote = self._quote(worker, months)
            payment = Payment(
                id=new_id(),
                receipt_no=self._next_receipt(s),
                worker_id=worker.id,
                months=json.dumps(months),
                amount=quote.total,
                breakdown=json.dumps(
                    {m: fee.amounts for m, fee in quote.per_month.items()}, sort_keys=True
                ),
                method=method,
                tariff_version=quote.tariff_version,
                collected_at=now,
                collected_by=actor.id,
                device_id=device_id(s),
            )
            s.add(payment)
            worker.paid_through = max(filter(None, [worker.paid_through, months[-1]]))
            worker.updated_at = now
            s.add(worker)
            payload = payment_payload(payment)
            enqueue(s, user_id=actor.id, kind="payment.collect", entity_id=payment.id,
                    payload=payload, now=now)
            audit(s, user_id=actor.id, action="payment.collect", entity="payment",
                  entity_id=payment.id, now=now, new=payload)
        return payment

    def void(self, actor: User, payment_id: str, reason: str) -> Payment:
        """Reverse a mistaken payment with a new, negative entry; the original stays."""
        require(actor, "void")
        reason = " ".join(reason.split())
        if len(reason) < 5:
            raise ServiceError("payment.void_reason")
        now = self.clock.stamp()
        with self.db.write() as s:
            original = s.get(Payment, payment_id)
            if original is None or original.kind != "payment":
                raise ServiceError("payment.not_found")
            if original.origin == "pulled":
                raise ServiceError("payment.pulled_read_only", {"receipt": original.receipt_no})
            require_void(actor, original, self.clock.today())
            already = s.exec(
                select(Payment.id).where(Payment.voids_payment_id == payment_id)
            ).first()
            if already:
                raise ServiceError("payment.already_voided", {"receipt": original.receipt_no})
            void = Payment(
                id=new_id(),
                receipt_no=self._next_receipt(s),
                kind="void",
                worker_id=original.worker_id,
                months=original.months,
                amount=-original.amount,
                breakdown=original.breakdown,
                method=original.method,
                tariff_version=original.tariff_version,
                voids_payment_id=original.id,
                void_reason=reason,
                collected_at=now,
                collected_by=actor.id,
                device_id=device_id(s),
            )
            s.add(void)
            s.flush()
            worker = s.get_one(Worker, original.worker_id)
            paid = self.workers.paid_months(s, worker.id)
            worker.paid_through = max(paid) if paid else None
            worker.updated_at = now
            s.add(worker)
            payload = payment_payload(void)
            enqueue(s, user_id=actor.id, kind="payment.void", entity_id=void.id,
                    payload=payload, now=now)
            audit(s, user_id=actor.id, action="payment.void", entity="payment",
                  entity_id=original.id, now=now, old=payment_payload(original), new=payload)
        return void

    def get(self, payment_id: str) -> Payment | None:
        with self.db.read() as s:
            return s.get(Payment, payment_id)
