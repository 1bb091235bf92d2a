//! The success envelope: `{"status":"success","data":[...]}`, `data` always an array (even for
//! one object, as DataFast's Account API does), with optional top-level siblings such as
//! `colors` or `counts`.

use actix_web::HttpResponse;
use serde::Serialize;

#[derive(Serialize)]
struct Success<T, E> {
    status: &'static str,
    data: Vec<T>,
    #[serde(flatten)]
    siblings: E,
}

/// No siblings beside `data`.
#[derive(Serialize)]
struct Nothing {}

/// 200 with `data` in the envelope.
pub fn success<T: Serialize>(data: Vec<T>) -> HttpResponse {
    success_with(data, Nothing {})
}

/// 200 with `data` and the fields of `siblings` next to it.
pub fn success_with<T: Serialize, E: Serialize>(data: Vec<T>, siblings: E) -> HttpResponse {
    HttpResponse::Ok().json(Success {
        status: "success",
        data,
        siblings,
    })
}

/// A plain `{"message": ...}` row, the shape of confirmations.
#[derive(Debug, Serialize)]
pub struct Message {
    pub message: String,
}

impl Message {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

/// Every resource carries its id twice: `_id` as DataFast's current docs show it, and `id` as
/// its older docs and third-party clients read it.
#[derive(Debug, Serialize)]
pub struct Ids {
    #[serde(rename = "_id")]
    underscore_id: String,
    id: String,
}

impl Ids {
    pub fn of(id: impl ToString) -> Self {
        let id = id.to_string();
        Self {
            underscore_id: id.clone(),
            id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::to_bytes;
    use serde_json::json;

    #[derive(Serialize)]
    struct Row {
        #[serde(flatten)]
        ids: Ids,
        name: &'static str,
    }

    #[actix_web::test]
    async fn data_is_an_array_and_siblings_sit_beside_it() {
        #[derive(Serialize)]
        struct Counts {
            counts: u32,
        }
        let response = success_with(
            vec![Row {
                ids: Ids::of("abc"),
                name: "x",
            }],
            Counts { counts: 3 },
        );
        let bytes = to_bytes(response.into_body()).await.unwrap();
        let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(
            body,
            json!({"status": "success", "data": [{"_id": "abc", "id": "abc", "name": "x"}], "counts": 3})
        );
    }
}
