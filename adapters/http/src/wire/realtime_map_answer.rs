//! The JSON answer of `GET /analytics/realtime/map`, camelCase as DataFast writes it, with the
//! fields the server has nothing for (coordinates, predictions) present and empty.

use std::collections::BTreeMap;

use serde::Serialize;

use datafast_analytics::{MapEvent, MapPayment, MapVisitor, RealtimeMap};

use crate::wire::analytics_answer::Data;
use crate::wire::iso;
use crate::wire::visitor_answer::ParamsBody;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LocationBody {
    city: Option<String>,
    region: Option<String>,
    country_code: Option<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct NamedBody {
    name: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct DeviceTypeBody {
    #[serde(rename = "type")]
    kind: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct SystemBody {
    browser: NamedBody,
    os: NamedBody,
    device: DeviceTypeBody,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ProfileDataBody {
    display_name: Option<String>,
    user_id: Option<String>,
    has_profile: bool,
    is_random_name: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MapVisitorBody {
    visitor_id: String,
    location: LocationBody,
    system: SystemBody,
    current_url: Option<String>,
    referrer: Option<String>,
    session_start_time: String,
    visit_count: u64,
    params: ParamsBody,
    latitude: Option<f64>,
    longitude: Option<f64>,
    is_customer: bool,
    customer_name: Option<String>,
    customer_email: Option<String>,
    profile_data: ProfileDataBody,
}

impl From<MapVisitor> for MapVisitorBody {
    fn from(visitor: MapVisitor) -> Self {
        Self {
            visitor_id: visitor.visitor_id,
            location: LocationBody {
                city: visitor.city,
                region: visitor.region,
                country_code: visitor.country_code,
            },
            system: SystemBody {
                browser: NamedBody {
                    name: visitor.browser,
                },
                os: NamedBody { name: visitor.os },
                device: DeviceTypeBody {
                    kind: visitor.device,
                },
            },
            current_url: visitor.current_url,
            referrer: visitor.referrer,
            session_start_time: iso(visitor.session_start_ms),
            visit_count: visitor.visit_count,
            params: visitor.params.into(),
            latitude: None,
            longitude: None,
            is_customer: visitor.is_customer,
            customer_name: visitor.customer_name,
            customer_email: visitor.customer_email,
            profile_data: ProfileDataBody {
                is_random_name: visitor.display_name.is_none(),
                display_name: visitor.display_name,
                user_id: visitor.user_id,
                has_profile: visitor.has_profile,
            },
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MapEventBody {
    #[serde(rename = "_id")]
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    visitor_id: String,
    timestamp: String,
    path: String,
    country_code: Option<String>,
    extra_data: BTreeMap<String, String>,
    referrer: Option<String>,
    customer_name: Option<String>,
    amount: Option<f64>,
    display_name: Option<String>,
}

impl From<MapEvent> for MapEventBody {
    fn from(event: MapEvent) -> Self {
        Self {
            id: event.seq.to_string(),
            kind: event.kind.as_str(),
            visitor_id: event.visitor_id,
            timestamp: iso(event.at_ms),
            path: event.path,
            country_code: event.country_code,
            extra_data: event.extra_data,
            referrer: event.referrer,
            customer_name: None,
            amount: None,
            display_name: event.display_name,
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MapPaymentBody {
    #[serde(rename = "_id")]
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    timestamp: String,
    name: Option<String>,
    email: Option<String>,
    amount: f64,
    currency: String,
    renewal: bool,
    display_name: Option<String>,
    is_new: bool,
    visible: bool,
}

impl From<MapPayment> for MapPaymentBody {
    fn from(payment: MapPayment) -> Self {
        Self {
            id: payment.transaction_id,
            kind: "payment_received",
            timestamp: iso(payment.at_ms),
            name: payment.name,
            email: payment.email,
            amount: payment.amount,
            currency: payment.currency.as_str().to_owned(),
            renewal: payment.renewal,
            display_name: payment.display_name,
            is_new: !payment.renewal,
            visible: true,
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RealtimeMapBody {
    count: u64,
    visitors: Vec<MapVisitorBody>,
    has_conversion_predictions: bool,
    recent_events: Vec<MapEventBody>,
    recent_payments: Vec<MapPaymentBody>,
}

/// `GET /analytics/realtime/map`: `{"data": {...}}`.
pub(crate) fn realtime_map_body(map: RealtimeMap) -> Data<RealtimeMapBody> {
    Data {
        data: RealtimeMapBody {
            count: map.visitors.len() as u64,
            visitors: map.visitors.into_iter().map(MapVisitorBody::from).collect(),
            has_conversion_predictions: false,
            recent_events: map
                .recent_events
                .into_iter()
                .map(MapEventBody::from)
                .collect(),
            recent_payments: map
                .recent_payments
                .into_iter()
                .map(MapPaymentBody::from)
                .collect(),
        },
    }
}
