"""The orders app's task (given). autodiscover_tasks() in proj/celery.py finds this module."""

from celery import shared_task
from django.core.exceptions import ObjectDoesNotExist

from .models import Order


# throws=: a missing order is an expected failure, logged in one line.
@shared_task(name="exercise22.confirm_order", throws=(ObjectDoesNotExist,))
def confirm_order(order_id):
    """Confirm an order: it needs the row, so it must run after the row is committed."""
    order = Order.objects.get(pk=order_id)  # Order.DoesNotExist if it is not (yet) there
    order.status = "confirmed"
    order.save(update_fields=["status"])
    return {"order": order.pk, "status": order.status}
