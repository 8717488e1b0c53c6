//! The handles of one kind in a model (its senders, or its receivers), each named by its
//! creation index: an index is never reused, so a test can keep referring to a dropped handle
//! and the model can tell it is gone.

/// Live handles by creation index, each with its state (`()` for handles that have none).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slots<T>(Vec<Option<T>>);

impl<T> Slots<T> {
    /// One live handle, index 0: what every `channel()` returns.
    pub fn one(first: T) -> Self {
        Slots(vec![Some(first)])
    }

    /// No handle yet.
    pub fn empty() -> Self {
        Slots(Vec::new())
    }

    /// A new live handle; returns its index.
    pub fn add(&mut self, state: T) -> usize {
        self.0.push(Some(state));
        self.0.len() - 1
    }

    /// The state of handle `i`, if it is alive.
    pub fn get(&self, i: usize) -> Option<&T> {
        self.0.get(i).and_then(Option::as_ref)
    }

    /// The state of handle `i`, if it is alive, to change.
    pub fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        self.0.get_mut(i).and_then(Option::as_mut)
    }

    /// Drops handle `i`; returns its state if it was alive.
    pub fn remove(&mut self, i: usize) -> Option<T> {
        self.0.get_mut(i).and_then(Option::take)
    }

    /// The indices of the live handles, in creation order.
    pub fn ids(&self) -> impl Iterator<Item = usize> + '_ {
        self.0
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.as_ref().map(|_| i))
    }

    /// How many handles are alive.
    pub fn count(&self) -> usize {
        self.0.iter().flatten().count()
    }

    /// The live handles' states.
    pub fn values(&self) -> impl Iterator<Item = &T> {
        self.0.iter().flatten()
    }

    /// The live handles' states, to change.
    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut T> {
        self.0.iter_mut().flatten()
    }
}

impl Slots<()> {
    /// A clone of handle `i` (`Sender::clone`): the new handle's index, `None` if `i` is not
    /// alive.
    pub fn clone_handle(&mut self, i: usize) -> Option<usize> {
        self.get(i)?;
        Some(self.add(()))
    }

    /// Drops handle `i`: whether it was the last one alive, `None` if it was not alive.
    pub fn drop_handle(&mut self, i: usize) -> Option<bool> {
        self.remove(i)?;
        Some(self.count() == 0)
    }
}
