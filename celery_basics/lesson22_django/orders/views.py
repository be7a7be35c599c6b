"""POST /orders/ creates an order and queues its confirmation; GET /orders/<id>/ reads it back."""

import json
import time

from celery.result import AsyncResult
from django.db import transaction
from django.http import JsonResponse

from .models import Order
from .tasks import confirm_order


class PaymentDeclined(Exception):
    pass


def orders(request):
    if request.method != "POST":
        return JsonResponse({"error": "POST an order here"}, status=405)
    try:
        data = json.loads(request.body)
        item, quantity = str(data["item"]), int(data["quantity"])
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": 'send JSON like {"item": "book", "quantity": 2}'}, status=400)
    if quantity < 1:
        return JsonResponse({"error": "'quantity' must be at least 1"}, status=400)
    send_now = request.GET.get("send") == "now"  # the wrong way, to see what goes wrong
    work = float(request.GET.get("work", "0"))  # seconds the rest of the request takes

    try:
        with transaction.atomic():
            order = Order.objects.create(item=item, quantity=quantity)
            if send_now:
                # WRONG: the task is sent now, while the row is not committed yet. A fast
                # worker looks for the order before it exists and fails.
                result = confirm_order.delay(order.pk)
                order.task_id = result.id
                order.save(update_fields=["task_id"])
            else:
                # RIGHT: queue the task when (and only if) the transaction commits.
                # delay_on_commit() returns None: the task is not sent yet, so it has no id.
                confirm_order.delay_on_commit(order.pk)
            time.sleep(work)  # the rest of the request: a payment call, an e-mail, ...
            if data.get("card") == "declined":
                raise PaymentDeclined  # rolls the transaction back: no order, and no task
    except PaymentDeclined:
        return JsonResponse({"error": "payment declined: no order was made"}, status=402)

    return JsonResponse(describe(order), status=201)


def order_detail(request, order_id):
    try:
        order = Order.objects.get(pk=order_id)
    except Order.DoesNotExist:
        return JsonResponse({"error": f"no order {order_id}"}, status=404)
    return JsonResponse(describe(order))


def describe(order):
    body = {"id": order.pk, "item": order.item, "quantity": order.quantity,
            "status": order.status, "task": None}
    if order.task_id:
        # The task's outcome, read back from the result backend (Redis).
        result = AsyncResult(order.task_id)
        body["task"] = {"id": order.task_id, "state": result.state,
                        "result": result.result if result.successful() else None,
                        "error": str(result.result) if result.failed() else None}
    return body
