//! Wiring: the router with its layers, and serving until SIGTERM.

use crate::config::Config;
use app::ops::access::REQUEST_ID;
use app::request::AppState;
use app::{security::AllowedOrigins, store::Store};
use axum::extract::DefaultBodyLimit;
use axum::{extract::State, middleware, response::IntoResponse, routing::get, Router};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::future::IntoFuture;
use std::net::SocketAddr;
use tower_http::{
    compression::{
        predicate::{NotForContentType, Predicate},
        CompressionLayer, DefaultPredicate,
    },
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    trace::TraceLayer,
};

/// Three photos of 5 MB and the text of a form.
const MAX_BODY: usize = 16 * 1024 * 1024 + 64 * 1024;

pub fn leptos_options(config: &Config) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("mycommunity")
        .site_root(config.site_root.as_str())
        .site_pkg_dir("pkg")
        .site_addr(config.site_addr)
        .hash_files(hashed_build())
        .build()
}

/// Did the build give the browser's files hashed names? cargo-leptos writes `hash.txt` next
/// to the server binary when it did; Leptos reads it to name the files in each page.
fn hashed_build() -> bool {
    std::env::current_exe().ok().and_then(|p| p.parent().map(|d| d.join("hash.txt").exists())).unwrap_or(false)
}

/// `/pkg`: the wasm, JS and CSS, served as the build wrote them: the brotli or gzip file
/// when the browser takes it (compressed once at build time, never per request). Hashed
/// names never change content, so they are cached for a year; unhashed (a development
/// build) they are revalidated each time.
fn static_files(config: &Config) -> Router<AppState> {
    use axum::http::{header, HeaderValue};
    use tower_http::{services::ServeDir, set_header::SetResponseHeaderLayer};
    let cache = if hashed_build() { "public, max-age=31536000, immutable" } else { "no-cache" };
    let pkg = ServeDir::new(format!("{}/pkg", config.site_root)).precompressed_br().precompressed_gzip();
    Router::new()
        .nest_service("/pkg", pkg)
        .layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static(cache)))
}

pub fn router(config: &Config, store: Store) -> Router {
    let options = leptos_options(config);
    let state = AppState { options: options.clone(), store: store.clone(), config: config.app.clone() };
    let routes = generate_route_list(app::App);
    let context = {
        let (store, app_config) = (store.clone(), config.app.clone());
        move || {
            provide_context(store.clone());
            provide_context(app_config.clone());
        }
    };
    let pages = Router::new()
        .route("/api/{*fn_name}", get(server_fns).post(server_fns).layer(DefaultBodyLimit::max(MAX_BODY)))
        .merge(app::shell::routes::routes())
        .leptos_routes_with_context(&state, routes, context, {
            let options = options.clone();
            move || app::shell(options.clone())
        })
        // Sessions are resolved for pages and server functions, not for static files.
        .route_layer(middleware::from_fn_with_state(
            (store.clone(), config.app.clone()),
            app::auth::server::resolve_viewer,
        ));

    // Pages are personal and change: the browser asks again each time.
    let pages = pages.layer(tower_http::set_header::SetResponseHeaderLayer::if_not_present(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("private, no-cache"),
    ));

    pages
        .merge(static_files(config))
        .merge(app::open311::routes(config.app.trust_proxy))
        .merge(app::ops::probes::routes())
        .merge(app::ops::metrics::routes(config.metrics.clone()))
        // A server function's error carries its own status, on whichever route it runs.
        .layer(middleware::from_fn(app::request::server_fn_status))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(app::shell))
        .layer(middleware::from_fn_with_state(
            AllowedOrigins(config.app.allowed_origins.clone()),
            app::security::reject_foreign_origin,
        ))
        // Event streams must not be buffered by the compressor.
        .layer(
            CompressionLayer::new()
                .compress_when(DefaultPredicate::new().and(NotForContentType::new("text/event-stream"))),
        )
        .layer(middleware::from_fn_with_state(multipart_routes(), app::security::limit_bodies))
        .layer(middleware::from_fn_with_state(config.app.cookie_secure, app::security::security_headers))
        // A panic answers 500 instead of dropping the connection.
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(app::security::panic_response))
        // One access line per request; every other line logged while answering it carries
        // its request id (the proxy's when it sent a plain one, else a new UUID), which is
        // also sent back.
        .layer(middleware::from_fn(app::ops::access::access_log))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &axum::http::Request<axum::body::Body>| {
                    let id = req.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
                    tracing::info_span!("request", id = %id)
                })
                .on_request(())
                .on_response(())
                .on_failure(()),
        )
        .layer(PropagateRequestIdLayer::new(axum::http::HeaderName::from_static(REQUEST_ID)))
        .layer(SetRequestIdLayer::new(axum::http::HeaderName::from_static(REQUEST_ID), MakeRequestUuid))
        .layer(middleware::from_fn(app::ops::access::sanitize_request_id))
        .with_state(state)
}

/// The server functions that take photos (multipart bodies only).
fn multipart_routes() -> app::security::MultipartRoutes {
    use server_fn::ServerFn;
    app::security::MultipartRoutes(vec![
        app::demands::PostDemand::PATH,
        app::demands::IntakeDemand::PATH,
        app::demands::FileFoundCase::PATH,
        app::threads::OpenThread::PATH,
        app::notices::PublishNotice::PATH,
    ])
}

async fn server_fns(State(state): State<AppState>, req: axum::extract::Request) -> axum::response::Response {
    leptos_axum::handle_server_fns_with_context(
        move || {
            provide_context(state.store.clone());
            provide_context(state.config.clone());
        },
        req,
    )
    .await
    .into_response()
}

/// Serves until SIGTERM or Ctrl-C: stops accepting, lets in-flight requests finish,
/// closes the pool.
pub async fn serve(config: Config, store: Store) -> std::io::Result<()> {
    let app = router(&config, store.clone());
    if config.sms.is_log() && !config.app.demo_mode {
        tracing::warn!(
            "SMS_SENDER=log: verification codes go to this log only; set SMS_SENDER=aliyun for real messages"
        );
    }
    tracing::info!(sms = ?config.sms, "SMS gateway");
    app::verify::gateway::install(config.sms.clone());
    // The segmenter's dictionary (about half a second), before the first resident types.
    tokio::task::spawn_blocking(app::intake::segment::warm);
    app::ops::metrics::install().map_err(std::io::Error::other)?;
    if store.backend() == app::store::Backend::Postgres {
        app::live::start_listener(config.database_url.clone());
    }
    app::jobs::start(
        store.clone(),
        config.app.clone(),
        std::time::Duration::from_secs(config.app.jobs_interval_seconds.max(1)),
        app::shell::inbox::text,
    );
    let listener = tokio::net::TcpListener::bind(config.site_addr).await?;
    let addr = listener.local_addr()?;
    // Tests and scripts read this line to find the port when LEPTOS_SITE_ADDR ends in :0.
    println!("listening on http://{addr}");
    tracing::info!(%addr, database = store.backend().name(), "serving");
    // On SIGTERM: stop accepting, end the live streams (their pages reconnect elsewhere), let
    // in-flight requests finish, but no longer than the drain deadline.
    let (stopping_tx, mut stopping) = tokio::sync::watch::channel(false);
    let serving = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async move {
            shutdown_signal().await;
            app::live::end_all_streams();
            stopping_tx.send_replace(true);
        })
        .into_future();
    let deadline = async move {
        if stopping.wait_for(|s| *s).await.is_err() {
            std::future::pending::<()>().await;
        }
        tokio::time::sleep(config.shutdown_grace).await;
    };
    tokio::select! {
        served = serving => served?,
        _ = deadline => tracing::warn!(
            seconds = config.shutdown_grace.as_secs(),
            "drain deadline passed: closing the connections still open"
        ),
    }
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
