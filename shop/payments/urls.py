from django.urls import path

from . import views

app_name = "payments"

urlpatterns = [
    path("<str:number>/<str:signed>/", views.order_status, name="order-status"),
    path("<str:number>/<str:signed>/vietqr.png", views.vietqr_image, name="vietqr-image"),
    path("<str:number>/<str:signed>/card/", views.pay_by_card, name="pay-by-card"),
    path("<str:number>/<str:signed>/card/return/", views.card_return, name="card-return"),
]
