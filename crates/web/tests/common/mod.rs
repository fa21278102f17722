//! In-process test harness: a fresh database per test (SQLite or PostgreSQL, from
//! TILSYN_TEST_DATABASE_URL), the demo organisation, and helpers to sign in and send requests
//! through the real router.
#![allow(dead_code)]

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use tilsyn_domain::audit::{Actor, AuditFilter};
use tilsyn_store::testing::TestDb;
use tower::ServiceExt;

pub struct TestApp {
    pub db: TestDb,
    pub app: Router,
}

pub struct Res {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Res {
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect()
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.set_cookies().iter().find_map(|c| {
            c.strip_prefix(&format!("{name}="))
                .map(|r| r.split(';').next().unwrap_or("").to_owned())
        })
    }

    pub fn html(&self) -> scraper::Html {
        scraper::Html::parse_document(&self.body)
    }

    /// Text of all elements matching a CSS selector.
    pub fn select(&self, css: &str) -> Vec<String> {
        let sel = scraper::Selector::parse(css).expect("selector");
        self.html()
            .select(&sel)
            .map(|e| e.text().collect::<String>().trim().to_owned())
            .collect()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// A browser: keeps cookies, sends forms with the CSRF token it was given.
#[derive(Clone, Default)]
pub struct Browser {
    pub cookies: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
}

impl Browser {
    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub fn csrf(&self) -> String {
        self.cookies
            .iter()
            .find(|(k, _)| k == "tilsyn_csrf")
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    fn absorb(&mut self, res: &Res) {
        for c in res.set_cookies() {
            let pair = c.split(';').next().unwrap_or("");
            if let Some((k, v)) = pair.split_once('=') {
                self.cookies.retain(|(n, _)| n != k);
                if !v.is_empty() && !c.contains("Max-Age=0") {
                    self.cookies.push((k.to_owned(), v.to_owned()));
                }
            }
        }
    }
}

impl TestApp {
    pub async fn new() -> TestApp {
        Self::with_settings(tilsyn_web::Settings::default()).await
    }

    pub async fn with_settings(settings: tilsyn_web::Settings) -> TestApp {
        let db = TestDb::new().await;
        tilsyn_store::demo::seed(&db.store, &Actor::cli(Some("test".into())))
            .await
            .expect("seed demo");
        let app = tilsyn_web::app(db.store.clone(), settings);
        TestApp { db, app }
    }

    /// A demo app with the standard templates loaded, as `tilsyn demo` has them.
    pub async fn with_templates() -> TestApp {
        let t = Self::new().await;
        let standard = tilsyn_store::standard::templates().expect("standard templates");
        t.store()
            .ensure_standard_templates(&standard)
            .await
            .expect("load standard templates");
        t
    }

    pub fn store(&self) -> &tilsyn_store::Store {
        &self.db.store
    }

    pub async fn send(&self, req: Request<Body>) -> Res {
        let res = self.app.clone().oneshot(req).await.expect("router answers");
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = axum::body::to_bytes(res.into_body(), 16 << 20)
            .await
            .expect("body");
        Res {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn get(&self, b: &mut Browser, path: &str) -> Res {
        let mut req = Request::get(path).header(header::COOKIE, b.cookie_header());
        for (k, v) in &b.headers {
            req = req.header(k.as_str(), v.as_str());
        }
        let res = self.send(req.body(Body::empty()).expect("request")).await;
        b.absorb(&res);
        res
    }

    /// Posts a form with the browser's CSRF token added, as the page would.
    pub async fn post(&self, b: &mut Browser, path: &str, fields: &[(&str, &str)]) -> Res {
        if b.csrf().is_empty() {
            self.get(b, "/login").await;
        }
        let csrf = b.csrf();
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(b, path, &all).await
    }

    /// Posts exactly these fields (no CSRF token added).
    pub async fn post_raw(&self, b: &mut Browser, path: &str, fields: &[(&str, &str)]) -> Res {
        let body = serde_urlencoded::to_string(fields).expect("form");
        let mut req = Request::post(path)
            .header(header::COOKIE, b.cookie_header())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        for (k, v) in &b.headers {
            req = req.header(k.as_str(), v.as_str());
        }
        let res = self
            .send(req.body(Body::from(body)).expect("request"))
            .await;
        b.absorb(&res);
        res
    }

    /// Posts a multipart form (a file upload) with the CSRF token in the URL, as the page does.
    /// `parts`: (name, file name for a file part, bytes).
    pub async fn post_multipart(
        &self,
        b: &mut Browser,
        path: &str,
        parts: &[(&str, Option<&str>, &[u8])],
    ) -> Res {
        const BOUNDARY: &str = "----tilsyn-test-boundary-7d3f";
        let mut body: Vec<u8> = Vec::new();
        for (name, file, bytes) in parts {
            body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
            match file {
                Some(f) => body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
                ),
                None => body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
                ),
            }
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
        let sep = if path.contains('?') { '&' } else { '?' };
        let url = format!("{path}{sep}csrf_token={}", b.csrf());
        let req = Request::post(url)
            .header(header::COOKIE, b.cookie_header())
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(Body::from(body))
            .expect("request");
        let res = self.send(req).await;
        b.absorb(&res);
        res
    }

    pub async fn login(&self, username: &str) -> Browser {
        let mut b = Browser::default();
        let res = self
            .post(
                &mut b,
                "/login",
                &[("username", username), ("password", "demo")],
            )
            .await;
        assert_eq!(
            res.status,
            StatusCode::SEE_OTHER,
            "login {username}: {}",
            res.body
        );
        b
    }

    pub async fn token(&self, username: &str) -> String {
        let user = self.store().find_user(username).await.expect("user");
        self.store()
            .create_token(&Actor::default(), user.id, "test")
            .await
            .expect("token")
    }

    pub async fn api(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&str>,
    ) -> Res {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let body = match body {
            Some(b) => {
                req = req.header(header::CONTENT_TYPE, "application/json");
                Body::from(b.to_owned())
            }
            None => Body::empty(),
        };
        self.send(req.body(body).expect("request")).await
    }

    /// Every audit event, newest first.
    pub async fn audit_events(&self) -> Vec<tilsyn_domain::audit::AuditEvent> {
        self.store()
            .list_audit_events(&AuditFilter {
                limit: 10_000,
                ..Default::default()
            })
            .await
            .expect("audit")
    }

    pub async fn audit_actions(&self) -> Vec<String> {
        self.audit_events()
            .await
            .into_iter()
            .map(|e| e.action)
            .collect()
    }

    pub async fn unit_id(&self, name: &str) -> String {
        let tree = self.store().org_tree().await.expect("tree");
        tree.rows()
            .iter()
            .find(|r| r.unit.name == name)
            .map(|r| r.unit.id.to_string())
            .expect("unit")
    }

    pub async fn user_id(&self, username: &str) -> String {
        self.store()
            .find_user(username)
            .await
            .expect("user")
            .id
            .to_string()
    }
}

pub const DEMO_USERS: [&str; 7] = [
    "admin",
    "leder",
    "koordinator",
    "raadgiver",
    "jurist",
    "udvalg",
    "panel",
];
