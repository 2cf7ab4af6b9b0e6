//! A registration of one action: its name and its typed handler. The
//! pipeline hands over the parameters already checked against the models;
//! the route decodes them into the action's request type, runs the handler,
//! encodes its typed response and fills in the members the spec says every
//! answer carries.

use mongodb_errors::ErrorCode;
use mongodb_models::Action;
use serde_json::Value;

use super::ctx::Ctx;
use super::fill::{fill_required, Hints};
use crate::util::ApiError;

/// A typed handler: the decoded request in, the typed response (or a business
/// error) out.
pub(crate) type Handler<A> = fn(&mut Ctx<'_>, A) -> Result<<A as Action>::Response, ApiError>;

type Erased = Box<dyn Fn(&mut Ctx<'_>, Value) -> Result<Value, ApiError> + Send + Sync>;

/// One action and its handler; a family lists its routes in its `routes()`.
pub(crate) struct Route {
    action: &'static str,
    run: Erased,
}

impl Route {
    /// The route of `handler`, for the action its request type names.
    pub(crate) fn new<A: Action>(handler: Handler<A>) -> Route {
        Route {
            action: A::NAME,
            run: Box::new(move |ctx: &mut Ctx<'_>, params: Value| {
                let request: A = serde_json::from_value(params).map_err(|e| {
                    ApiError::new(
                        ErrorCode::InvalidParameter,
                        format!("The parameters of `{}` do not decode: {e}.", A::NAME),
                    )
                })?;
                let response = handler(ctx, request)?;
                let mut value = serde_json::to_value(response).map_err(|e| {
                    ApiError::new(
                        ErrorCode::InternalError,
                        format!("The answer of `{}` could not be encoded: {e}.", A::NAME),
                    )
                })?;
                let hints = Hints {
                    region: ctx.region_name(),
                    now_ms: ctx.now_ms(),
                };
                fill_required(&format!("{}Response", A::NAME), &mut value, &hints);
                Ok(value)
            }),
        }
    }

    /// The action's name.
    pub(crate) fn action(&self) -> &'static str {
        self.action
    }

    /// Runs the handler on checked parameters.
    pub(crate) fn call(&self, ctx: &mut Ctx<'_>, params: Value) -> Result<Value, ApiError> {
        (self.run)(ctx, params)
    }
}
