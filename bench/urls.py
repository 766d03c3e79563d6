"""The site's URLs plus /bench/bare/: the same middleware, no work (the baseline)."""

from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from tvr_site.urls import urlpatterns as site_urlpatterns


@csrf_exempt
def bare(request):
    return HttpResponse("ok")


urlpatterns = [path("bench/bare/", bare), *site_urlpatterns]
