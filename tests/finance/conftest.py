"""Shared pieces for finance tests: a power-list item, a payee, a draft with a voucher."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from finance import services
from finance.models import Payee, PowerItem
from registry.models import AdminUnit
from tests import documents

PNG = documents.png()


def voucher_file(name: str = "invoice.png", body: bytes = PNG) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, body, content_type="image/png")


@pytest.fixture
def village():
    return AdminUnit.objects.get(code="330381102201")  # 东岙村, the demo users' village


@pytest.fixture
def power_item():
    item = PowerItem.objects.filter(applies_to=PowerItem.AppliesTo.PAYMENT).first()
    return item or PowerItem.objects.create(
        number=98, area=PowerItem.Area.MONEY, title="村级财务收支", decider="村委会", sample=True
    )


@pytest.fixture
def payee(village):
    return services.save_payee(
        Payee(
            village=village,
            kind=Payee.Kind.COMPANY,
            name="瑞安市曹村建筑工程有限公司",
            credit_code="91330381894900911J",
            bank_name="瑞安农商银行曹村支行",
            account_number="6228 4800 1234 5678",
        ),
        actor=None,
    )


@pytest.fixture
def make_draft(village, payee, power_item, demo_user):
    def make(
        amount="2000.00", *, actor="bookkeeper", voucher=True, village_override=None, **fields
    ):
        user = demo_user(actor) if isinstance(actor, str) else actor
        request, _created = services.draft_request(
            actor=user,
            village=village_override or village,
            payee=fields.pop("payee", payee),
            amount=amount,
            purpose=fields.pop("purpose", "村道路灯维修材料费"),
            category=fields.pop("category", "purchases"),
            power_item=fields.pop("power_item", power_item),
            **fields,
        )
        if voucher:
            body = PNG + io.BytesIO(str(request.pk).encode()).getvalue()
            services.attach_voucher(
                request,
                actor=user,
                kind="invoice",
                title="发票 No.001",
                upload=voucher_file(body=body),
            )
        return request

    return make


@pytest.fixture
def yuan():
    return Decimal
