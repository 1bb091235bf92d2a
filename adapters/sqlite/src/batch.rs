//! Group commit for event appends. Every append waits for a commit before it returns, so an
//! acknowledged event is durable; to keep that cheap, one writer thread takes every append
//! waiting at the moment it is free and commits them all in one transaction. Under load the
//! batches grow by themselves, with no timer and no added latency when idle.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};
use std::thread;

use datafast_domain::event::Event;
use datafast_ports::store::{StoreError, StoreResult};
use tokio::sync::oneshot;

use crate::events::{Interner, KnownIds, insert_appends, insert_events};
use crate::store::Shared;

/// Most events committed in one transaction: bounds how long one commit holds the writer.
const MAX_BATCH_EVENTS: usize = 4096;

/// One caller's events and where to send their sequence numbers.
struct Append {
    events: Vec<Event>,
    reply: oneshot::Sender<StoreResult<Vec<u64>>>,
}

/// The sending side; dropping the last one lets the writer thread finish what is queued and
/// exit.
#[derive(Debug)]
pub(crate) struct Appender {
    queue: Sender<Append>,
}

impl Appender {
    /// Starts the writer thread over `shared`'s writer connection.
    pub(crate) fn start(shared: Arc<Shared>) -> std::io::Result<Self> {
        let (queue, incoming) = channel();
        thread::Builder::new()
            .name("datafast-sqlite-events".to_owned())
            .spawn(move || run(&shared, &incoming))?;
        Ok(Self { queue })
    }

    /// Queues `events` and waits until they are committed.
    pub(crate) async fn append(&self, events: Vec<Event>) -> StoreResult<Vec<u64>> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Append { events, reply })
            .map_err(|_| StoreError::Backend("the event writer has stopped".to_owned()))?;
        answer
            .await
            .map_err(|_| StoreError::Backend("the event writer dropped an append".to_owned()))?
    }
}

fn run(shared: &Shared, incoming: &Receiver<Append>) {
    let mut known = KnownIds::default();
    // `recv` fails once every sender is gone and the queue is empty: everything accepted has
    // been written by then.
    while let Ok(first) = incoming.recv() {
        let mut batch = vec![first];
        let mut size = batch[0].events.len();
        while size < MAX_BATCH_EVENTS {
            match incoming.try_recv() {
                Ok(next) => {
                    size += next.events.len();
                    batch.push(next);
                }
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
            }
        }
        commit(shared, batch, &mut known);
    }
}

/// Commits a batch in one transaction. If that fails, each append is retried alone, so one
/// bad append cannot fail the others that happened to share its batch. Dictionary ids the
/// batch resolved join `known` once the commit has succeeded.
fn commit(shared: &Shared, batch: Vec<Append>, known: &mut KnownIds) {
    let together = shared.with_writer(|tx| {
        let mut interner = Interner::new(tx, known);
        let appends: Vec<&[Event]> = batch
            .iter()
            .map(|append| append.events.as_slice())
            .collect();
        let seqs = insert_appends(tx, &appends, &mut interner)?;
        Ok((seqs, interner.learned()))
    });
    match together {
        Ok((all_seqs, learned)) => {
            known.learn(learned);
            for (append, seqs) in batch.into_iter().zip(all_seqs) {
                // A caller that gave up waiting is no reason to fail the others.
                let _ = append.reply.send(Ok(seqs));
            }
        }
        Err(error) if batch.len() == 1 => {
            let error = StoreError::from(error);
            for append in batch {
                let _ = append.reply.send(Err(error.clone()));
            }
        }
        Err(_) => {
            for append in batch {
                let alone = shared
                    .with_writer(|tx| insert_events(tx, &append.events))
                    .map_err(StoreError::from);
                let _ = append.reply.send(alone);
            }
        }
    }
}
