//! The broadcast and watch models name their handles by id. A tokio handle that was dropped
//! cannot be used (the type system refuses); the models' equivalent is that every operation
//! on the id of a dropped handle is refused (`None` or `false`) and changes nothing. The
//! properties only ever pick live handles, so this is checked here.

use channel_models::broadcast::Broadcast;
use channel_models::watch::Watch;

#[test]
fn broadcast_refuses_a_dropped_sender_and_changes_nothing() {
    let (mut model, tx, rx) = Broadcast::<u32>::channel(2);
    let other = model.clone_sender(tx).expect("a live sender clones");
    assert!(model.drop_sender(tx));
    assert_eq!(model.send(tx, 1), None);
    assert_eq!(model.clone_sender(tx), None);
    assert_eq!(model.subscribe(tx), None);
    assert!(!model.drop_sender(tx), "dropped twice");
    assert_eq!(model.sender_ids(), [other]);
    assert!(model.try_recv(rx).is_some(), "the receiver is unaffected");
    assert_eq!(model.send(other, 7), Some(Ok(1)), "the live sender works");
}

#[test]
fn broadcast_refuses_a_dropped_receiver() {
    let (mut model, tx, rx) = Broadcast::<u32>::channel(2);
    assert!(model.drop_receiver(rx));
    assert_eq!(model.try_recv(rx), None);
    assert!(!model.drop_receiver(rx), "dropped twice");
    assert_eq!(model.send(tx, 1), Some(Err(1)), "no receiver left");
}

#[test]
fn watch_refuses_a_dropped_sender_and_changes_nothing() {
    let (mut model, tx, rx) = Watch::channel(0u32);
    let other = model.clone_sender(tx).expect("a live sender clones");
    assert!(model.drop_sender(tx));
    assert_eq!(model.send(tx, 1), None);
    assert_eq!(model.send_replace(tx, 2), None);
    assert!(!model.send_modify(tx, 3));
    assert_eq!(model.send_if_modified(tx, Some(4), true), None);
    assert_eq!(model.clone_sender(tx), None);
    assert_eq!(model.subscribe(tx), None);
    assert!(!model.drop_sender(tx), "dropped twice");
    assert_eq!(model.sender_ids(), [other]);
    assert_eq!(*model.value(), 0, "no refused send stored its value");
    assert_eq!(model.borrow(rx).map(|b| b.value), Some(0));
}

#[test]
fn watch_refuses_a_dropped_receiver() {
    let (mut model, _tx, rx) = Watch::channel(0u32);
    assert!(model.drop_receiver(rx));
    assert_eq!(model.borrow(rx).map(|b| b.value), None);
    assert!(!model.drop_receiver(rx), "dropped twice");
}
