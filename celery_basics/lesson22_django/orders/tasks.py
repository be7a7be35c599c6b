"""The orders app's tasks. autodiscover_tasks() in proj/celery.py finds this module."""

from celery import shared_task
from django.core.exceptions import ObjectDoesNotExist

from .models import Order


# @shared_task: the task does not import the project's Celery app, so the app stays reusable.
# throws=(ObjectDoesNotExist,): a missing order is an expected failure, logged in one line.
@shared_task(bind=True, throws=(ObjectDoesNotExist,))
def confirm_order(self, order_id):
    """Confirm an order: it needs the row, so it must run after the row is committed."""
    order = Order.objects.get(pk=order_id)  # Order.DoesNotExist if it is not (yet) there
    order.status = "confirmed"
    order.task_id = self.request.id
    order.save(update_fields=["status", "task_id"])
    return {"order": order.pk, "item": order.item, "quantity": order.quantity, "status": order.status}
