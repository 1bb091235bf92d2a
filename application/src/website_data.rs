//! The Website API's writes: server-side goals (`POST`/`DELETE /api/v1/goals`), payments
//! (`POST`/`DELETE /api/v1/payments`) and identify (`POST /api/v1/identify`). A `df_` key
//! names its own website; an account token names one with `?websiteId=`.

use jiff::Timestamp;

use datafast_domain::access::Principal;
use datafast_domain::event::{Event, EventKind, EventOrigin, GoalEventFilter, VisitContext};
use datafast_domain::id::{ProfileId, WebsiteId};
use datafast_domain::ingest::server::{ServerGoal, ServerIdentify, ServerPayment};
use datafast_domain::payment::{Payment, PaymentFilter, PaymentRecord};
use datafast_domain::permission::Permission;
use datafast_domain::profile::VisitorProfile;
use datafast_domain::website::Website;

use crate::Services;
use crate::error::{ServiceError, ServiceResult};
use crate::ids::{id_seconds, random_array};

/// A stored server-side goal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoalCreated {
    /// 24 hex characters: the event's second and its sequence number in the store.
    pub event_id: String,
}

/// What `POST /api/v1/payments` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentOutcome {
    pub transaction_id: String,
    pub record: PaymentRecord,
}

/// What `POST /api/v1/identify` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileSaved {
    pub profile_id: String,
    /// False on cookieless websites, where identify succeeds but keeps no profile.
    pub persisted: bool,
}

/// How many rows a delete removed, and the range it was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removed {
    pub count: u64,
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
}

const NO_PAGEVIEW: &str = "Visitor has no pageviews on this website";

/// An event id as DataFast shows them (24 hex characters), unique per stored event.
fn event_id(occurred_at: Timestamp, seq: u64) -> String {
    format!("{:08x}{:016x}", id_seconds(occurred_at), seq)
}

/// The Website API write use cases, reached through [`Services::website_data`].
#[derive(Debug, Clone, Copy)]
pub struct WebsiteData<'a> {
    pub(crate) services: &'a Services,
}

impl WebsiteData<'_> {
    /// The website a Website API call acts on: a `df_` key's own website (a different
    /// `websiteId` is refused), or the `websiteId` an account token names.
    ///
    /// # Errors
    /// `BadRequest` when an account token names no website; `Forbidden` when a key names
    /// another website; then the policy's refusals.
    pub(crate) async fn website_api_target(
        &self,
        principal: &Principal,
        website_id: Option<WebsiteId>,
        permission: Permission,
    ) -> ServiceResult<Website> {
        let target = match (principal.key_website(), website_id) {
            (Some(own), Some(named)) if own != named => {
                return Err(ServiceError::Forbidden(
                    "This API key belongs to another website".to_owned(),
                ));
            }
            (Some(own), _) => own,
            (None, Some(named)) => named,
            (None, None) => {
                return Err(ServiceError::BadRequest(
                    "websiteId query parameter is required with an account token".to_owned(),
                ));
            }
        };
        let (website, _) = self
            .services
            .authorized_website(principal, target, permission, false)
            .await?;
        Ok(website)
    }

    /// `POST /api/v1/goals`: a goal completed on the server for a visitor who has a pageview.
    ///
    /// # Errors
    /// `NotFound` when the visitor has no pageview; policy refusals; storage failures.
    pub async fn create_goal(
        &self,
        principal: &Principal,
        website_id: Option<WebsiteId>,
        goal: ServerGoal,
    ) -> ServiceResult<GoalCreated> {
        let website = self
            .website_api_target(principal, website_id, Permission::GoalsWrite)
            .await?;
        if website.settings.is_attack_mode_enabled {
            return Err(ServiceError::Forbidden(
                "Tracking suspended for this website: attack mode is on".to_owned(),
            ));
        }
        let pageview = self
            .services
            .store
            .latest_pageview(website.id, goal.visitor_id.as_str())
            .await?
            .ok_or_else(|| ServiceError::NotFound(NO_PAGEVIEW.to_owned()))?;
        let now = self.services.now();
        let event = Event {
            kind: EventKind::Custom,
            occurred_at: now,
            goal_name: Some(goal.name),
            params: goal.metadata,
            description: goal.description,
            origin: EventOrigin::Server,
            ..pageview
        };
        let seqs = self
            .services
            .store
            .append_events(vec![event.clone()])
            .await?;
        self.services.announce_goals(std::slice::from_ref(&event));
        let seq = seqs.first().copied().unwrap_or_default();
        Ok(GoalCreated {
            event_id: event_id(now, seq),
        })
    }

    /// `DELETE /api/v1/goals`.
    ///
    /// # Errors
    /// Policy refusals; storage failures.
    pub async fn delete_goals(
        &self,
        principal: &Principal,
        website_id: Option<WebsiteId>,
        filter: GoalEventFilter,
    ) -> ServiceResult<Removed> {
        let website = self
            .website_api_target(principal, website_id, Permission::GoalsWrite)
            .await?;
        let count = self
            .services
            .store
            .delete_goal_events(website.id, &filter)
            .await?;
        if count > 0 {
            self.services.analytics().analytics_invalidate().await;
        }
        Ok(Removed {
            count,
            from: filter.from,
            to: filter.to,
        })
    }

    /// `POST /api/v1/payments`: records the payment once per transaction id, with the
    /// automatic `payment` (or `free_trial`) goal for its visitor when one is named.
    ///
    /// # Errors
    /// Policy refusals; storage failures.
    pub async fn record_payment(
        &self,
        principal: &Principal,
        website_id: Option<WebsiteId>,
        payment: ServerPayment,
    ) -> ServiceResult<PaymentOutcome> {
        let website = self
            .website_api_target(principal, website_id, Permission::PaymentsWrite)
            .await?;
        let occurred_at = match payment.timestamp {
            Some(at) => Timestamp::from_millisecond(at.as_millisecond()).unwrap_or(at),
            None => self.services.now(),
        };
        let stored = Payment {
            website_id: website.id,
            transaction_id: payment.transaction_id.clone(),
            amount_minor: payment.amount_minor,
            currency: payment.currency,
            visitor_id: payment.visitor_id.as_ref().map(|v| v.as_str().to_owned()),
            email: payment.email,
            name: payment.name,
            customer_id: payment.customer_id,
            renewal: payment.renewal,
            refunded: payment.refunded,
            free_trial: payment.free_trial,
            occurred_at,
        };
        let record = record_with_goal(self.services, &stored).await?;
        Ok(PaymentOutcome {
            transaction_id: stored.transaction_id,
            record,
        })
    }

    /// `DELETE /api/v1/payments`.
    ///
    /// # Errors
    /// `NotFound` when a named transaction id is unknown; policy refusals; storage failures.
    pub async fn delete_payments(
        &self,
        principal: &Principal,
        website_id: Option<WebsiteId>,
        filter: PaymentFilter,
    ) -> ServiceResult<Removed> {
        let website = self
            .website_api_target(principal, website_id, Permission::PaymentsWrite)
            .await?;
        let count = self
            .services
            .store
            .delete_payments(website.id, &filter)
            .await?;
        if count > 0 {
            self.services.analytics().analytics_invalidate().await;
        }
        if count == 0 && filter.transaction_id.is_some() {
            return Err(ServiceError::NotFound("Transaction not found".to_owned()));
        }
        Ok(Removed {
            count,
            from: filter.from,
            to: filter.to,
        })
    }

    /// `POST /api/v1/identify`: attaches a user id and properties to a visitor who has a
    /// pageview. On cookieless websites it succeeds without keeping a profile, as documented.
    ///
    /// # Errors
    /// `NotFound` when the visitor has no pageview; policy refusals; storage failures.
    pub async fn identify_visitor(
        &self,
        principal: &Principal,
        website_id: Option<WebsiteId>,
        identify: ServerIdentify,
    ) -> ServiceResult<ProfileSaved> {
        let website = self
            .website_api_target(principal, website_id, Permission::IdentifyWrite)
            .await?;
        let pageview = self
            .services
            .store
            .latest_pageview(website.id, identify.visitor_id.as_str())
            .await?
            .ok_or_else(|| ServiceError::NotFound(NO_PAGEVIEW.to_owned()))?;
        let now = self.services.now();
        let new_id =
            ProfileId::from_parts(id_seconds(now), random_array(self.services.random.as_ref()));
        if website.settings.is_cookieless {
            return Ok(ProfileSaved {
                profile_id: new_id.to_string(),
                persisted: false,
            });
        }
        let mut params = identify.metadata.clone();
        params.insert("user_id".to_owned(), identify.user_id.clone());
        let event = Event {
            kind: EventKind::Identify,
            occurred_at: now,
            goal_name: None,
            params,
            description: None,
            origin: EventOrigin::Server,
            ..pageview
        };
        self.services.store.append_events(vec![event]).await?;
        let saved = self
            .services
            .store
            .save_profile(&VisitorProfile {
                profile_id: new_id.to_string(),
                website_id: website.id,
                visitor_id: identify.visitor_id.as_str().to_owned(),
                user_id: identify.user_id,
                metadata: identify.metadata,
                identified_at: now,
            })
            .await?;
        self.services
            .analytics()
            .analytics_profile_saved(&saved)
            .await;
        Ok(ProfileSaved {
            profile_id: saved.profile_id,
            persisted: true,
        })
    }
}

/// Records `payment` once per transaction id, with the automatic `payment` (or `free_trial`)
/// goal for its visitor when it names one, and tells analytics and alerts when it is new.
pub(crate) async fn record_with_goal(
    services: &Services,
    payment: &Payment,
) -> ServiceResult<PaymentRecord> {
    let goal_event = goal_event_of(services, payment).await?;
    let record = services
        .store
        .record_payment(payment, goal_event.clone())
        .await?;
    if record == PaymentRecord::Recorded {
        services
            .analytics()
            .analytics_payment_recorded(payment)
            .await;
        if let Some(event) = &goal_event {
            services.announce_goals(std::slice::from_ref(event));
        }
    }
    Ok(record)
}

/// The goal event a payment completes, when it names its visitor.
pub(crate) async fn goal_event_of(
    services: &Services,
    payment: &Payment,
) -> ServiceResult<Option<Event>> {
    let Some(visitor) = &payment.visitor_id else {
        return Ok(None);
    };
    let visit = goal_visit(services, payment.website_id, visitor, payment.occurred_at).await?;
    Ok(Some(Event {
        goal_name: Some(payment.goal_name()),
        params: [("transaction_id".to_owned(), payment.transaction_id.clone())]
            .into_iter()
            .collect(),
        ..visit
    }))
}

/// The event a provider's goal of `visitor` (a payment, a subscription's change) is recorded
/// in, at `at`: in the visitor's latest visit when there is one, so the goal and its revenue
/// are attributed to that visit's source; otherwise with an unknown context.
pub(crate) async fn goal_visit(
    services: &Services,
    website: WebsiteId,
    visitor: &str,
    at: Timestamp,
) -> ServiceResult<Event> {
    let visit = services.store.latest_pageview(website, visitor).await?;
    let (session_id, hostname, path, context) = match visit {
        Some(visit) => (visit.session_id, visit.hostname, visit.path, visit.context),
        None => (
            String::new(),
            String::new(),
            String::new(),
            VisitContext::unknown(),
        ),
    };
    Ok(Event {
        website_id: website,
        kind: EventKind::Payment,
        occurred_at: at,
        visitor_id: visitor.to_owned(),
        session_id,
        goal_name: None,
        hostname,
        path,
        context,
        params: Default::default(),
        description: None,
        origin: EventOrigin::Server,
    })
}
