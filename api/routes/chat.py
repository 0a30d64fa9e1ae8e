"""The candidate chat page and the widget's configuration."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.deps import SettingsDep
from api.templating import templates

router = APIRouter(tags=["chat"])


@router.get("/chat", response_class=HTMLResponse, include_in_schema=False)
def chat_page(request: Request, settings: SettingsDep) -> HTMLResponse:
    """A plain full-page chat (the career site at / embeds the same widget as a bubble)."""
    return templates.TemplateResponse(request, "chat.html", {"settings": settings})
