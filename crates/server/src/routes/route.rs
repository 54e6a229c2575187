//! What one route is: its method and path, the handler that serves it, who may call it, and
//! how the OpenAPI document describes it. [`super::table`] lists every route in this shape.

use crate::AppState;
use axum::routing::{MethodFilter, MethodRouter};
use schemars::{JsonSchema, Schema, SchemaGenerator};

/// A JSON schema written into the document's generator when the document is built.
pub type SchemaFn = fn(&mut SchemaGenerator) -> Schema;

/// The handler of a route, registered for the method it is given (`|m| on(m, handler)`).
pub type Register = fn(MethodFilter) -> MethodRouter<AppState>;

/// The schema of `T`: a `$ref` to its definition when it has one.
pub fn schema<T: JsonSchema>(g: &mut SchemaGenerator) -> Schema {
    g.subschema_for::<T>()
}

/// The object schema of a query-parameter struct, inlined (its properties become parameters).
pub fn params<T: JsonSchema>(g: &mut SchemaGenerator) -> Schema {
    g.root_schema_for::<T>()
}

/// Any JSON object.
pub fn object(_: &mut SchemaGenerator) -> Schema {
    schemars::json_schema!({"type": "object"})
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Verb {
    Get,
    Post,
    Put,
    Delete,
}

impl Verb {
    pub fn filter(self) -> MethodFilter {
        match self {
            Verb::Get => MethodFilter::GET,
            Verb::Post => MethodFilter::POST,
            Verb::Put => MethodFilter::PUT,
            Verb::Delete => MethodFilter::DELETE,
        }
    }

    /// The method as OpenAPI names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Get => "get",
            Verb::Post => "post",
            Verb::Put => "put",
            Verb::Delete => "delete",
        }
    }
}

/// Who may call a route.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Access {
    /// Anyone.
    Open,
    /// Anyone; anonymous callers within the search rate limit per address
    /// ([`crate::auth::limit_anonymous`] in front of the handler).
    RateLimited,
    /// A Bearer access token (the handler takes an `AuthUser`).
    SignedIn,
}

/// What a route answers with.
#[derive(Clone, Copy)]
pub enum Answer {
    /// Not stated yet: a route left like this does not compile (see `table`).
    Unstated,
    Json(u16, SchemaFn),
    Text(&'static str),
    Stream,
    Empty(u16),
}

#[derive(Clone, Copy)]
pub struct Route {
    pub verb: Verb,
    pub path: &'static str,
    pub handler: Register,
    pub access: Access,
    pub tag: &'static str,
    pub summary: &'static str,
    pub query: Option<SchemaFn>,
    pub body: Option<SchemaFn>,
    pub answer: Answer,
}

const fn route(verb: Verb, path: &'static str, handler: Register) -> Route {
    Route {
        verb,
        path,
        handler,
        access: Access::Open,
        tag: "",
        summary: "",
        query: None,
        body: None,
        answer: Answer::Unstated,
    }
}

pub const fn get(path: &'static str, handler: Register) -> Route {
    route(Verb::Get, path, handler)
}

pub const fn post(path: &'static str, handler: Register) -> Route {
    route(Verb::Post, path, handler)
}

pub const fn put(path: &'static str, handler: Register) -> Route {
    route(Verb::Put, path, handler)
}

pub const fn delete(path: &'static str, handler: Register) -> Route {
    route(Verb::Delete, path, handler)
}

impl Route {
    /// The document's tag and one-line summary.
    pub const fn doc(mut self, tag: &'static str, summary: &'static str) -> Route {
        self.tag = tag;
        self.summary = summary;
        self
    }

    pub const fn signed_in(mut self) -> Route {
        self.access = Access::SignedIn;
        self
    }

    pub const fn rate_limited(mut self) -> Route {
        self.access = Access::RateLimited;
        self
    }

    pub const fn query(mut self, params: SchemaFn) -> Route {
        self.query = Some(params);
        self
    }

    /// A JSON request body.
    pub const fn body(mut self, schema: SchemaFn) -> Route {
        self.body = Some(schema);
        self
    }

    pub const fn json(mut self, status: u16, schema: SchemaFn) -> Route {
        self.answer = Answer::Json(status, schema);
        self
    }

    pub const fn text(mut self, mime: &'static str) -> Route {
        self.answer = Answer::Text(mime);
        self
    }

    /// Server-Sent Events.
    pub const fn stream(mut self) -> Route {
        self.answer = Answer::Stream;
        self
    }

    pub const fn empty(mut self, status: u16) -> Route {
        self.answer = Answer::Empty(status);
        self
    }

    /// Whether the route is fully described: a tag, a summary and an answer.
    pub const fn is_described(&self) -> bool {
        !self.tag.is_empty() && !self.summary.is_empty() && !matches!(self.answer, Answer::Unstated)
    }
}
