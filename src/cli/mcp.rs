//! `booksygo mcp`: the assistant's tools for other agents, over stdio with the official MCP
//! SDK (rmcp). The tools, their schemas and the confirmation rule are core's
//! (`booksygo_core::ai::tools`); this file only speaks the protocol.
//!
//! Booking, paying and cancelling keep their rule: the first call returns a quote and a
//! `confirmation_token`; the client shows it to the person and calls again with the token and
//! the person's own reply as `user_reply`, which must be an explicit yes (any other reply
//! leaves the quote pending). Each tool says what it does to the world (annotations) and
//! what it returns (output schema), from core's tool list.

use booksygo_core::Agency;
use booksygo_core::ai::tools::{Session, Toolbox, specs};
use booksygo_core::config::Clock;
use jiff::civil::Date;
use rmcp::ServiceExt;
use rmcp::handler::server::ServerHandler;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, Implementation, InitializeResult,
    ListToolsResult, PaginatedRequestParams, ServerCapabilities, Tool, ToolAnnotations,
};
use rmcp::service::{RequestContext, RoleServer};
use serde_json::Value;
use std::sync::Arc;

struct Server {
    agency: Arc<dyn Agency>,
    today: Date,
    /// One conversation per connection: quotes and offers seen live here.
    session: tokio::sync::Mutex<Session>,
}

impl ServerHandler for Server {
    fn get_info(&self) -> InitializeResult {
        let mut info = InitializeResult::new(ServerCapabilities::builder().enable_tools().build());
        info.server_info = Implementation::new("booksygo", env!("CARGO_PKG_VERSION"))
            .with_title("BooksyGo travel agent")
            .with_description(
                "Search flights, hotels and packages; book and cancel with the traveller's confirmation.",
            );
        info.instructions = Some(format!(
            "Today is {}. Dates are YYYY-MM-DD; times are local with their UTC offset; amounts are {{\"amount\": \"250.00\", \"currency\": \"EUR\"}}. create_booking, pay_booking and cancel_booking first return a quote and a confirmation_token; show the quote to the person and call again with the token and their reply, verbatim, as user_reply: only an explicit yes goes through, and any other reply leaves the quote pending.",
            self.today
        ));
        info
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, rmcp::ErrorData> {
        let tools = specs()
            .into_iter()
            .map(|t| {
                let object = |v: Value| match v {
                    Value::Object(m) => m,
                    _ => Default::default(),
                };
                // Searches only read; booking and paying write behind the person's yes;
                // cancelling gives something up. All of them talk to this agency only.
                let hints = ToolAnnotations::new()
                    .read_only(t.read_only)
                    .destructive(t.destructive)
                    .idempotent(t.idempotent)
                    .open_world(false);
                Tool::new(t.name, t.description, Arc::new(object(t.parameters)))
                    .with_raw_output_schema(Arc::new(object(t.output)))
                    .with_annotations(hints)
            })
            .collect();
        Ok(ListToolsResult {
            tools,
            ..Default::default()
        })
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, rmcp::ErrorData> {
        if !specs().iter().any(|t| t.name == request.name) {
            return Err(rmcp::ErrorData::invalid_params(
                format!("no tool named '{}'", request.name),
                None,
            ));
        }
        let args = request.arguments.map(Value::Object).unwrap_or(Value::Null);
        let tools = Toolbox {
            agency: self.agency.as_ref(),
            today: self.today,
        };
        let mut session = self.session.lock().await;
        let result = match tools.call(&mut session, &request.name, &args).await {
            Ok(v) => CallToolResult::structured(v),
            // Errors the caller can fix are results it can read, not protocol errors.
            Err(e) => CallToolResult::structured_error(e.to_json()),
        };
        Ok(result.into())
    }
}

pub async fn run(agency: Arc<dyn Agency>) -> anyhow::Result<u8> {
    let today = Clock::from_env()?
        .now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    let server = Server {
        agency,
        today,
        session: tokio::sync::Mutex::new(Session::for_mcp()),
    };
    let running = server
        .serve(rmcp::transport::stdio())
        .await
        .map_err(|e| anyhow::anyhow!("MCP handshake failed: {e}"))?;
    running.waiting().await?;
    Ok(crate::exit::OK)
}
