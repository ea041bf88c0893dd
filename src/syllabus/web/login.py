"""``/account/automated_login?login_key=``: redeem a login key, set a session, go home."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from syllabus.auth.sessions import COOKIE_NAME, MAX_AGE_SECONDS, sign_session
from syllabus.core.errors import NotFound
from syllabus.db.session import unit_of_work
from syllabus.services.login_keys import Login, redeem_login_key

REFUSED_PAGE = (
    "<!doctype html><html><head><meta charset=utf-8><title>Sign-in link not valid</title>"
    "</head><body><h1>This sign-in link is not valid</h1>"
    "<p>It may have expired or been used already. Ask for a new one.</p></body></html>"
)
NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _redeem(factory: sessionmaker[Session], secret: str) -> Login:
    # The key is all we know: the program is found from it, so the lookup is cross-tenant.
    with unit_of_work(factory, tenant_id=None) as session:
        return redeem_login_key(session, secret=secret)


async def automated_login(request: Request) -> Response:
    secret = request.query_params.get("login_key", "")
    try:
        login = await run_in_threadpool(_redeem, request.app.state.session_factory, secret)
    except NotFound:
        return HTMLResponse(REFUSED_PAGE, status_code=401, headers=NO_STORE)
    response = RedirectResponse("/", status_code=303, headers=NO_STORE)
    response.set_cookie(
        COOKIE_NAME,
        sign_session(
            request.app.state.secret_key, tenant_id=login.tenant_id, user_id=login.user_id
        ),
        max_age=MAX_AGE_SECONDS,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


routes = [Route("/account/automated_login", automated_login, methods=["GET"])]
