"""Exercise 22: POST /orders/ creates an order and queues its confirmation.

    curl -i -X POST -d '{"item": "book", "quantity": 2}' http://127.0.0.1:8022/orders/
    curl -i -X POST -d '{"item": "lamp", "quantity": 1, "card": "declined"}' http://127.0.0.1:8022/orders/

The reference solution: delay_on_commit() sends the task when the transaction commits, and not
at all when it is rolled back (Celery 5.4+; by hand: transaction.on_commit(...)).
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
            confirm_order.delay_on_commit(order.pk)  # sent after COMMIT, never after a rollback
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
