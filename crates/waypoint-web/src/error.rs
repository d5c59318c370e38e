//! The one error type handlers return. Missing and out-of-scope objects are
//! the same 404; internal failures are logged with the request id and shown
//! without internals.

use crate::view::{ErrorPage, render};
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use waypoint_store::StoreError;

/// What can go wrong in a request.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// Not signed in (pages redirect to sign-in; the API answers 401).
    #[error("sign in to continue")]
    Unauthenticated,
    /// Missing, or not yours to see: indistinguishable on purpose.
    #[error("not found")]
    NotFound,
    /// Signed in and in scope, but the action is not allowed (e.g. a bad CSRF token).
    #[error("{0}")]
    Forbidden(String),
    /// The request conflicts with current state (a named constraint).
    #[error("{0}")]
    Conflict(String),
    /// The input is well-formed but wrong.
    #[error("{0}")]
    Unprocessable(String),
    /// Too busy right now; the client should retry shortly.
    #[error("Waypoint is very busy right now. Please try again in a few seconds.")]
    Overloaded,
    /// Anything else; logged, never shown.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<StoreError> for WebError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(m) => Self::Conflict(m),
            other => Self::Internal(other.into()),
        }
    }
}

impl WebError {
    fn status(&self) -> StatusCode {
        match self {
            Self::Unauthenticated => StatusCode::UNAUTHORIZED,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Overloaded => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn public_message(&self) -> String {
        match self {
            Self::Internal(_) => {
                "Something went wrong on our side. It has been logged; please try again.".to_owned()
            }
            Self::NotFound => "There is nothing here, or it is not shared with you.".to_owned(),
            other => other.to_string(),
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        if let Self::Internal(e) = &self {
            tracing::error!(error = format!("{e:#}"), "request failed");
        }
        let status = self.status();
        if status == StatusCode::UNAUTHORIZED {
            return axum::response::Redirect::to("/sign-in").into_response();
        }
        let page = ErrorPage {
            status: status.as_u16(),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            message: self.public_message(),
        };
        let mut response = (status, render(&page)).into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("2"),
            );
        }
        response
    }
}

/// The same failures, answered as JSON for the API.
#[derive(Debug)]
pub struct ApiError(pub WebError);

impl<E: Into<WebError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        Self(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let WebError::Internal(e) = &self.0 {
            tracing::error!(error = format!("{e:#}"), "api request failed");
        }
        let status = self.0.status();
        let body = serde_json::json!({ "error": status.canonical_reason(), "message": self.0.public_message() });
        let mut response = (status, Json(body)).into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("2"),
            );
        }
        response
    }
}

/// Shorthand for page handlers.
pub type WebResult<T> = Result<T, WebError>;
