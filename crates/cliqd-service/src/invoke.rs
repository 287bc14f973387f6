//! A Deluge script's `invokeUrl`, performed through the one outbound client (timeouts, size
//! caps, the private-network guard). Used by every Deluge host: the CLI's and the server's.

use cliqd_outbound::{OutboundClient, OutboundConfig, OutboundRequest};
use deluge::{HttpRequest, HttpResponse};
use serde_json::Value;

/// Builds the outbound request of an `invokeUrl` task: a map `parameters` becomes a form body
/// (or the query string for GET and DELETE), text parameters or `body` are sent raw.
pub fn outbound_request(r: &HttpRequest) -> OutboundRequest {
    let mut headers = r.headers.clone();
    let mut url = r.url.clone();
    let mut body = r.body.clone().map(String::into_bytes);
    let mut content_type = r.content_type.clone();
    match &r.parameters {
        Some(Value::Object(map)) => {
            let mut form = url::form_urlencoded::Serializer::new(String::new());
            for (k, v) in map {
                match v {
                    Value::String(s) => form.append_pair(k, s),
                    other => form.append_pair(k, &other.to_string()),
                };
            }
            let form = form.finish();
            if r.method == "GET" || r.method == "DELETE" {
                if !form.is_empty() {
                    url.push(if url.contains('?') { '&' } else { '?' });
                    url.push_str(&form);
                }
            } else {
                body = Some(form.into_bytes());
                content_type.get_or_insert("application/x-www-form-urlencoded".into());
            }
        }
        Some(Value::String(s)) => {
            body = Some(s.clone().into_bytes());
            content_type.get_or_insert("text/plain".into());
        }
        Some(other) => {
            body = Some(other.to_string().into_bytes());
            content_type.get_or_insert("application/json".into());
        }
        None => {}
    }
    if let Some(ct) = content_type
        && !headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
    {
        headers.push(("Content-Type".into(), ct));
    }
    OutboundRequest {
        method: r.method.clone(),
        url,
        headers,
        body,
    }
}

/// Where an invoker runs its requests: a runtime of its own (a CLI, a thread with none), or
/// the handle of a running one (a script on a blocking thread of the server's runtime).
enum Runtime {
    Owned(tokio::runtime::Runtime),
    Handle(tokio::runtime::Handle),
}

/// Performs `invokeUrl` synchronously, as a Deluge [`deluge::Host`] must.
pub struct UrlInvoker {
    client: OutboundClient,
    runtime: Runtime,
}

impl UrlInvoker {
    /// An invoker with a current-thread runtime of its own.
    pub fn with_own_runtime(config: OutboundConfig) -> Result<Self, String> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the HTTP runtime: {e}"))?;
        let client = OutboundClient::new(config).map_err(|e| e.to_string())?;
        Ok(UrlInvoker {
            client,
            runtime: Runtime::Owned(rt),
        })
    }

    /// An invoker that blocks on `handle`: call [`UrlInvoker::invoke`] only from a thread that
    /// is not one of the runtime's workers (e.g. inside `spawn_blocking`).
    pub fn on_handle(client: OutboundClient, handle: tokio::runtime::Handle) -> Self {
        UrlInvoker {
            client,
            runtime: Runtime::Handle(handle),
        }
    }

    /// Sends the request and waits for the answer (any status); an error says why it failed.
    pub fn invoke(&self, request: &HttpRequest) -> Result<HttpResponse, String> {
        self.invoke_within(request, None)
    }

    /// [`UrlInvoker::invoke`], giving up after `limit` when one is given (a script's remaining
    /// time), besides the client's own timeouts.
    pub fn invoke_within(
        &self,
        request: &HttpRequest,
        limit: Option<std::time::Duration>,
    ) -> Result<HttpResponse, String> {
        let fut = async {
            let call = self.client.execute(outbound_request(request));
            match limit {
                Some(d) => tokio::time::timeout(d, call)
                    .await
                    .map_err(|_| {
                        "the request did not finish before the script's time ran out".to_string()
                    })?
                    .map_err(|e| e.to_string()),
                None => call.await.map_err(|e| e.to_string()),
            }
        };
        let response = match &self.runtime {
            Runtime::Owned(rt) => rt.block_on(fut),
            Runtime::Handle(h) => h.block_on(fut),
        }?;
        Ok(HttpResponse {
            status: response.status,
            headers: response.headers,
            body: response.body,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(method: &str, parameters: Option<Value>) -> HttpRequest {
        HttpRequest {
            method: method.into(),
            url: "https://example.com/x?a=1".into(),
            parameters,
            body: None,
            headers: Vec::new(),
            connection: None,
            content_type: None,
            detailed: false,
            extra: serde_json::Map::new(),
        }
    }

    #[test]
    fn map_parameters_become_a_form_or_a_query() {
        let params = serde_json::json!({"q": "a b&c", "n": 5});
        let get = outbound_request(&req("GET", Some(params.clone())));
        assert_eq!(get.url, "https://example.com/x?a=1&q=a+b%26c&n=5");
        assert!(get.body.is_none());
        let post = outbound_request(&req("POST", Some(params)));
        assert_eq!(post.body.as_deref(), Some(&b"q=a+b%26c&n=5"[..]));
        assert!(
            post.headers
                .iter()
                .any(|(k, v)| k == "Content-Type" && v == "application/x-www-form-urlencoded")
        );
    }

    #[test]
    fn text_and_json_parameters_are_sent_raw() {
        let text = outbound_request(&req("POST", Some(Value::String("raw".into()))));
        assert_eq!(text.body.as_deref(), Some(&b"raw"[..]));
        assert!(text.headers.iter().any(|(_, v)| v == "text/plain"));
        let list = outbound_request(&req("PUT", Some(serde_json::json!([1, 2]))));
        assert_eq!(list.body.as_deref(), Some(&b"[1,2]"[..]));
        assert!(list.headers.iter().any(|(_, v)| v == "application/json"));
    }
}
