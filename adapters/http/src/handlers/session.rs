//! The dashboard's own routes, outside DataFast's API: signing in and out (`/api/session`),
//! changing the password, and the one-time setup and invitation links (`/api/setup`,
//! `/api/join`). Requests that open a session carry no cookie yet, so they are held to the
//! same origin instead: a browser's `Origin`, when sent, must be this server's.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

use datafast_application::{LinkOffer, SignedIn};
use datafast_domain::account::Account;

use crate::envelope::success;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Caller, JsonObject};
use crate::handlers::UseCases;
use crate::public_address::PublicAddress;
use crate::session_cookie::{cleared_cookie, session_cookie, session_value};

/// The signed-in account and the token its state-changing requests echo.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SessionBody {
    account: AccountSummary,
    csrf_token: String,
}

#[derive(Serialize)]
struct AccountSummary {
    id: String,
    name: String,
    email: String,
}

impl From<&Account> for AccountSummary {
    fn from(account: &Account) -> Self {
        Self {
            id: account.id.to_string(),
            name: account.name.clone(),
            email: account.email.to_string(),
        }
    }
}

/// `GET /api/session`: who is signed in, for a session cookie only.
pub(crate) async fn current(caller: Caller, services: UseCases, request: HttpRequest) -> ApiResult {
    let account = services.sign_in().current(&caller).await?;
    let cookie = session_value(&request).unwrap_or_default();
    Ok(success(vec![SessionBody {
        account: AccountSummary::from(&account),
        csrf_token: services.sign_in().csrf_token(&cookie),
    }]))
}

/// `POST /api/session`: email and password to a session.
pub(crate) async fn sign_in(
    services: UseCases,
    request: HttpRequest,
    address: PublicAddress,
    body: JsonObject,
) -> ApiResult {
    same_origin(&request, &address)?;
    let fields = body.fields();
    let email = fields.required_str("email")?;
    let password = fields.required_str("password")?;
    let signed_in = services.sign_in().sign_in(email, password).await?;
    Ok(opened(&services, &signed_in, &address))
}

/// `DELETE /api/session`: sign out.
pub(crate) async fn sign_out(
    caller: Caller,
    services: UseCases,
    address: PublicAddress,
) -> ApiResult {
    services.sign_in().sign_out(&caller).await?;
    Ok(HttpResponse::NoContent()
        .cookie(cleared_cookie(&address.0))
        .finish())
}

/// `PUT /api/session/password`: every session ends and a new one replaces this one.
pub(crate) async fn change_password(
    caller: Caller,
    services: UseCases,
    address: PublicAddress,
    body: JsonObject,
) -> ApiResult {
    let fields = body.fields();
    let current = fields.required_str("currentPassword")?;
    let new = fields.required_str("newPassword")?;
    let signed_in = services
        .sign_in()
        .change_password(&caller, current, new)
        .await?;
    Ok(opened(&services, &signed_in, &address))
}

#[derive(Deserialize)]
pub(crate) struct CodeQuery {
    code: Option<String>,
}

impl CodeQuery {
    fn code(&self) -> Result<&str, ApiError> {
        self.code
            .as_deref()
            .ok_or_else(|| ApiError::bad_request("Missing required query parameter 'code'"))
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SetupOffer {
    email: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JoinOffer {
    email: String,
    domain: String,
    role: String,
    account_exists: bool,
}

/// `GET /api/setup?code=`: whose password the setup link sets.
pub(crate) async fn setup_offer(services: UseCases, query: web::Query<CodeQuery>) -> ApiResult {
    match services.links().offer(query.code()?).await? {
        LinkOffer::SetPassword { account } => Ok(success(vec![SetupOffer {
            email: account.email.to_string(),
        }])),
        LinkOffer::Join { .. } => Err(link_not_found()),
    }
}

/// `POST /api/setup`: sets the password through the link, and signs in.
pub(crate) async fn setup(
    services: UseCases,
    request: HttpRequest,
    address: PublicAddress,
    body: JsonObject,
) -> ApiResult {
    same_origin(&request, &address)?;
    let fields = body.fields();
    let code = fields.required_str("code")?;
    let password = fields.required_str("password")?;
    let signed_in = services.links().set_password(code, password).await?;
    Ok(opened(&services, &signed_in, &address))
}

/// `GET /api/join?code=`: the invitation behind the link.
pub(crate) async fn join_offer(services: UseCases, query: web::Query<CodeQuery>) -> ApiResult {
    match services.links().offer(query.code()?).await? {
        LinkOffer::Join {
            invitation,
            website,
            account_exists,
        } => Ok(success(vec![JoinOffer {
            email: invitation.email.to_string(),
            domain: website.domain.to_string(),
            role: invitation.role.to_string(),
            account_exists,
        }])),
        LinkOffer::SetPassword { .. } => Err(link_not_found()),
    }
}

/// `POST /api/join`: joins the team through the link, creating the account if needed.
pub(crate) async fn join(
    services: UseCases,
    request: HttpRequest,
    address: PublicAddress,
    body: JsonObject,
) -> ApiResult {
    same_origin(&request, &address)?;
    let fields = body.fields();
    let code = fields.required_str("code")?;
    let name = fields.optional_str("name")?;
    let password = fields.required_str("password")?;
    let signed_in = services.links().join(code, name, password).await?;
    Ok(opened(&services, &signed_in, &address))
}

fn link_not_found() -> ApiError {
    ApiError::from(datafast_application::ServiceError::not_found("Link"))
}

/// The answer that opens a session: its cookie, and the session as `GET` shows it.
fn opened(services: &UseCases, signed_in: &SignedIn, address: &PublicAddress) -> HttpResponse {
    let cookie = signed_in.cookie.expose();
    let body = SessionBody {
        account: AccountSummary::from(&signed_in.account),
        csrf_token: services.sign_in().csrf_token(cookie),
    };
    let mut response = success(vec![body]);
    if let Err(error) = response.add_cookie(&session_cookie(cookie, &address.0)) {
        return actix_web::ResponseError::error_response(&ApiError::internal(&error.to_string()));
    }
    response
}

/// Refuses a browser request from another origin: it would sign the browser in (or set a
/// password) on someone else's behalf. Clients that send no `Origin` are not browsers.
fn same_origin(request: &HttpRequest, address: &PublicAddress) -> Result<(), ApiError> {
    let Some(origin) = request.headers().get("origin") else {
        return Ok(());
    };
    let ours = origin_of(&address.0);
    if origin.to_str().is_ok_and(|origin| origin == ours) {
        Ok(())
    } else {
        Err(ApiError::new(
            actix_web::http::StatusCode::FORBIDDEN,
            "This request must come from the dashboard's own pages",
        ))
    }
}

/// The scheme and authority of an address, without any path.
fn origin_of(address: &str) -> &str {
    let after_scheme = address.find("://").map_or(0, |at| at + 3);
    match address[after_scheme..].find('/') {
        Some(slash) => &address[..after_scheme + slash],
        None => address,
    }
}

#[cfg(test)]
mod tests {
    use super::origin_of;

    #[test]
    fn an_origin_has_no_path() {
        assert_eq!(
            origin_of("http://10.0.0.1:8080/stats"),
            "http://10.0.0.1:8080"
        );
        assert_eq!(origin_of("https://a.example.com"), "https://a.example.com");
    }
}
