from django.http import HttpRequest


def fair(request: HttpRequest) -> dict[str, object]:
    return {"fair": getattr(request, "fair", None)}
