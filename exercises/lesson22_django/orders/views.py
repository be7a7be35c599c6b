"""Exercise 22: POST /orders/ creates an order and queues its confirmation.

    curl -i -X POST -d '{"item": "book", "quantity": 2}' http://127.0.0.1:8022/orders/
    curl -i -X POST -d '{"item": "lamp", "quantity": 1, "card": "declined"}' http://127.0.0.1:8022/orders/

TODO: orders stay "new": the task is sent while the transaction that creates the order is still
open, so the worker looks for an order that is not committed yet (and fails). And when the
payment is declined, the transaction is rolled back but the task is sent anyway. Send the task
only when (and if) the transaction commits.
"""

import json

from django.db import transaction
from django.http import JsonResponse

from .models import Order
from .payments import PaymentDeclined, charge_card
from .tasks import confirm_order


def orders(request):
    if request.method != "POST":
        return JsonResponse({"error": "POST an order here"}, status=405)
    try:
        data = json.loads(request.body)
        item, quantity = str(data["item"]), int(data["quantity"])
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": 'send JSON like {"item": "book", "quantity": 2}'}, status=400)

    try:
        with transaction.atomic():
            order = Order.objects.create(item=item, quantity=quantity)
            confirm_order.delay(order.pk)  # TODO: not now, but once the transaction commits
            charge_card(data.get("card"))  # PaymentDeclined rolls the transaction back
    except PaymentDeclined:
        return JsonResponse({"error": "payment declined: no order was made"}, status=402)
    return JsonResponse({"id": order.pk, "item": order.item, "status": order.status}, status=201)


def order_detail(request, order_id):
    try:
        order = Order.objects.get(pk=order_id)
    except Order.DoesNotExist:
        return JsonResponse({"error": f"no order {order_id}"}, status=404)
    return JsonResponse({"id": order.pk, "item": order.item, "status": order.status})
