//! Integration tasks: `invokeUrl [...]`, `sendmail [...]`, `getUrl`/`postUrl` and the
//! `zoho.cliq.*` tasks, all delegated to the host with values converted to JSON.

use crate::ast::TaskKind;
use crate::error::{ErrorKind, RuntimeError};
use crate::host::{HttpRequest, HttpResponse};
use crate::interp::Interp;
use crate::value::{Key, Value};

fn host_error(message: String) -> RuntimeError {
    RuntimeError::new(ErrorKind::Host, message)
}

/// Runs a bracketed task with its evaluated `key: value` parameters.
pub(crate) fn run_task(
    interp: &mut Interp<'_>,
    kind: &TaskKind,
    params: &[(&str, Value)],
) -> Result<Value, RuntimeError> {
    match kind {
        TaskKind::InvokeUrl => invoke_url(interp, params),
        TaskKind::SendMail => {
            let mut mail = serde_json::Map::new();
            for (k, v) in params {
                mail.insert((*k).to_string(), v.to_json());
            }
            interp
                .host
                .send_mail(&serde_json::Value::Object(mail))
                .map_err(host_error)?;
            Ok(Value::Null)
        }
        TaskKind::Other(name) => Err(RuntimeError::new(
            ErrorKind::UnknownFunction,
            format!("unknown task '{name}'"),
        )),
    }
}

fn invoke_url(interp: &mut Interp<'_>, params: &[(&str, Value)]) -> Result<Value, RuntimeError> {
    let mut req = HttpRequest {
        method: "GET".into(),
        url: String::new(),
        parameters: None,
        body: None,
        headers: Vec::new(),
        connection: None,
        content_type: None,
        detailed: false,
        extra: serde_json::Map::new(),
    };
    for (k, v) in params {
        match *k {
            "url" => req.url = v.to_text(),
            "type" | "method" => req.method = v.to_text().to_ascii_uppercase(),
            "parameters" => req.parameters = Some(v.to_json()),
            "body" => req.body = Some(v.to_text()),
            "headers" => req.headers = pairs(v),
            "connection" => req.connection = Some(v.to_text()),
            "content-type" => req.content_type = Some(v.to_text()),
            "detailed" => req.detailed = matches!(v, Value::Bool(true)),
            other => {
                req.extra.insert(other.to_string(), v.to_json());
            }
        }
    }
    if req.url.is_empty() {
        return Err(RuntimeError::value_error("invokeUrl needs a url"));
    }
    if !matches!(
        req.method.as_str(),
        "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD"
    ) {
        return Err(RuntimeError::value_error(format!(
            "invokeUrl type '{}' is not GET, POST, PUT, PATCH or DELETE",
            req.method
        )));
    }
    let resp = interp.host.invoke_url(&req).map_err(host_error)?;
    Ok(response_value(&resp, req.detailed))
}

/// Header maps become (name, value) pairs.
fn pairs(v: &Value) -> Vec<(String, String)> {
    match v {
        Value::Map(m) => m
            .borrow()
            .entries
            .iter()
            .map(|(k, v)| (k.0.to_text(), v.to_text()))
            .collect(),
        _ => Vec::new(),
    }
}

/// The body parsed as JSON when it is an object or array, else text; with `detailed`,
/// wrapped as `{responseText, responseHeader, responseCode}`.
pub(crate) fn response_value(resp: &HttpResponse, detailed: bool) -> Value {
    let text = String::from_utf8_lossy(&resp.body).into_owned();
    let trimmed = text.trim_start();
    let body = if trimmed.starts_with('{') || trimmed.starts_with('[') {
        serde_json::from_str::<serde_json::Value>(&text)
            .map(|j| Value::from_json(&j))
            .unwrap_or_else(|_| Value::text(text.as_str()))
    } else {
        Value::text(text.as_str())
    };
    if !detailed {
        return body;
    }
    let headers = Value::map(
        resp.headers
            .iter()
            .map(|(k, v)| (Key::from(k.as_str()), Value::text(v.as_str())))
            .collect(),
    );
    let mut m = crate::value::key_map(3);
    m.insert(Key::from("responseText"), body);
    m.insert(Key::from("responseHeader"), headers);
    m.insert(
        Key::from("responseCode"),
        Value::Number(i64::from(resp.status)),
    );
    Value::map(m)
}

/// `zoho.cliq.<task>(args)`.
pub(crate) fn cliq_task(
    interp: &mut Interp<'_>,
    task: &str,
    args: &[Value],
) -> Result<Value, RuntimeError> {
    const KNOWN: &[&str] = &[
        "posttochat",
        "posttochannel",
        "posttochannelasbot",
        "posttobot",
        "posttobotasadmin",
        "posttouser",
        "createrecord",
        "getrecords",
        "getrecordbyid",
        "updaterecord",
        "deleterecord",
        "deleterecords",
    ];
    if !KNOWN.contains(&task) {
        return Err(RuntimeError::new(
            ErrorKind::UnknownFunction,
            format!("unknown task 'zoho.cliq.{task}'"),
        ));
    }
    let json: Vec<serde_json::Value> = args.iter().map(Value::to_json).collect();
    let result = interp.host.cliq_task(task, &json).map_err(host_error)?;
    Ok(Value::from_json(&result))
}

/// Deprecated `getUrl(url[, headers[, simple]])` and `postUrl(url, body[, headers[, simple]])`.
pub(crate) fn legacy_url(
    interp: &mut Interp<'_>,
    name: &str,
    args: &[Value],
) -> Result<Value, RuntimeError> {
    let post = name == "posturl";
    let url = args
        .first()
        .map(Value::to_text)
        .ok_or_else(|| RuntimeError::type_error(format!("'{name}' needs a url")))?;
    let (body, rest) = if post {
        (args.get(1), args.get(2..).unwrap_or(&[]))
    } else {
        (None, args.get(1..).unwrap_or(&[]))
    };
    let headers = rest.first().map(pairs).unwrap_or_default();
    let simple = !matches!(rest.get(1), Some(Value::Bool(false)));
    let req = HttpRequest {
        method: if post { "POST" } else { "GET" }.into(),
        url,
        parameters: body.map(Value::to_json),
        body: None,
        headers,
        connection: None,
        content_type: None,
        detailed: !simple,
        extra: serde_json::Map::new(),
    };
    let resp = interp.host.invoke_url(&req).map_err(host_error)?;
    if simple {
        return Ok(Value::text(
            String::from_utf8_lossy(&resp.body).into_owned(),
        ));
    }
    let v = response_value(&resp, true);
    if let Value::Map(m) = &v {
        let text = String::from_utf8_lossy(&resp.body).into_owned();
        m.borrow_mut()
            .entries
            .insert(Key::from("responseText"), Value::text(text));
    }
    Ok(v)
}
