use super::pratt::{parse_binary_op, BinaryOpToken};
use crate::expr::{
    BinaryOperator, Conditional, Expression, ObjectKey, ObjectValue, Traversal, TraversalOperator,
};
use crate::structure::{Body, Structure};
use crate::{Decorate, Decorated, RawString, SetSpan};
use fnv::{FnvHashMap, FnvHashSet, FnvHasher};
use std::hash::{Hash, Hasher};
use std::ops::Range;

/// The number of items an object collects in its own list, where each new key is compared
/// with every key before it, before the parser moves them to an [`ObjectKeyIndex`].
pub(super) const OBJECT_KEYS_LISTED: usize = 16;

/// The items of a large object while it is parsed, with its keys indexed by hash: checking
/// each new key against every earlier one (as `Object`'s `VecMap` does) made parsing an object
/// quadratic in its size; a 40,000-key object took 4.8 s.
///
/// Keys that are identifiers or plain strings are hashed by their text. Other expression keys
/// all share one bucket: they can only equal each other (an identifier key never equals an
/// expression key, nor a string expression another kind), and large objects of computed keys
/// are rare.
#[derive(Debug, Default)]
pub(super) struct ObjectKeyIndex {
    items: Vec<(ObjectKey, ObjectValue)>,
    /// The last item of each hash, and for each item the one before it with the same hash.
    last: FnvHashMap<u64, usize>,
    before: Vec<Option<usize>>,
}

impl ObjectKeyIndex {
    /// An index of `items`, whose keys are distinct.
    pub(super) fn new(items: Vec<(ObjectKey, ObjectValue)>) -> ObjectKeyIndex {
        let mut index = ObjectKeyIndex {
            items: Vec::with_capacity(items.len() * 2),
            last: FnvHashMap::default(),
            before: Vec::with_capacity(items.len() * 2),
        };
        for (key, value) in items {
            index.push(key, value);
        }
        index
    }

    fn hash(key: &ObjectKey) -> u64 {
        let mut h = FnvHasher::default();
        match key {
            ObjectKey::Ident(ident) => (0u8, ident.as_str()).hash(&mut h),
            ObjectKey::Expression(expr) => match expr.as_str() {
                Some(s) => (1u8, s).hash(&mut h),
                None => 2u8.hash(&mut h),
            },
        }
        h.finish()
    }

    /// Whether an equal key is indexed.
    pub(super) fn contains(&self, key: &ObjectKey) -> bool {
        let mut at = self.last.get(&Self::hash(key)).copied();
        while let Some(i) = at {
            if self.items[i].0 == *key {
                return true;
            }
            at = self.before[i];
        }
        false
    }

    /// Adds an item whose key is not indexed yet (see [`Self::contains`]).
    pub(super) fn push(&mut self, key: ObjectKey, value: ObjectValue) {
        let i = self.items.len();
        self.before.push(self.last.insert(Self::hash(&key), i));
        self.items.push((key, value));
    }

    /// The items, in the order they were added.
    pub(super) fn into_items(self) -> Vec<(ObjectKey, ObjectValue)> {
        self.items
    }
}

/// Whether objects move their items to an [`ObjectKeyIndex`] past [`OBJECT_KEYS_LISTED`];
/// off only in the test that compares both.
#[cfg(not(test))]
pub(super) fn index_object_keys() -> bool {
    true
}

#[cfg(test)]
thread_local! {
    pub(super) static INDEX_OBJECT_KEYS: std::cell::Cell<bool> = const { std::cell::Cell::new(true) };
}

#[cfg(test)]
pub(super) fn index_object_keys() -> bool {
    INDEX_OBJECT_KEYS.with(std::cell::Cell::get)
}

/// The attribute keys of a body seen so far, for [`BodyParseState::is_redefined`]: a list
/// searched linearly while it is short (bodies have a few attributes each, and the hash set that
/// hcl-edit used cost an allocation and rehashes per body), a hash set once it is longer.
#[derive(Debug, Default)]
pub(super) struct AttributeKeys<'a> {
    list: Vec<&'a str>,
    set: FnvHashSet<&'a str>,
}

/// The number of keys [`AttributeKeys`] keeps in its list before it moves them to its set.
const ATTRIBUTE_KEYS_LISTED: usize = 16;

impl<'a> AttributeKeys<'a> {
    /// Adds `key`, and returns whether it was not there yet, as `HashSet::insert` does.
    pub(super) fn insert(&mut self, key: &'a str) -> bool {
        if self.set.is_empty() {
            if self.list.contains(&key) {
                return false;
            }
            if self.list.len() < ATTRIBUTE_KEYS_LISTED {
                if self.list.capacity() == 0 {
                    self.list.reserve_exact(ATTRIBUTE_KEYS_LISTED);
                }
                self.list.push(key);
                return true;
            }
            self.set.extend(self.list.drain(..));
        }
        self.set.insert(key)
    }
}

/// The capacity the parser gives a list of array items, object items or body structures when
/// its first item arrives: the lists grew from 4 items (`Vec`'s first capacity for these types)
/// by doubling, which reallocated and moved them for the 5 to 16 items that bake files often
/// have. Empty lists still allocate nothing.
pub(super) const FIRST_CAPACITY: usize = 8;

/// Reserves [`FIRST_CAPACITY`] items in `items` if it has not allocated yet.
pub(super) fn reserve_first<T>(items: &mut Vec<T>) {
    if items.capacity() == 0 && reserve_items() {
        items.reserve_exact(FIRST_CAPACITY);
    }
}

/// Whether [`reserve_first`] reserves; off only in the test that compares both.
#[cfg(not(test))]
pub(super) fn reserve_items() -> bool {
    true
}

#[cfg(test)]
thread_local! {
    pub(super) static RESERVE_ITEMS: std::cell::Cell<bool> = const { std::cell::Cell::new(true) };
}

#[cfg(test)]
pub(super) fn reserve_items() -> bool {
    RESERVE_ITEMS.with(std::cell::Cell::get)
}

/// Whether [`BodyParseState::on_structure`] pushes the structure into the list at once; off only
/// in the test that compares both.
#[cfg(not(test))]
fn push_structures() -> bool {
    true
}

#[cfg(test)]
thread_local! {
    pub(super) static PUSH_STRUCTURES: std::cell::Cell<bool> = const { std::cell::Cell::new(true) };
}

#[cfg(test)]
fn push_structures() -> bool {
    PUSH_STRUCTURES.with(std::cell::Cell::get)
}

#[derive(Debug, Default)]
pub(super) struct BodyParseState<'a> {
    attribute_keys: AttributeKeys<'a>,
    current: Option<Structure>,
    structures: Vec<Structure>,
    ws: Option<Range<usize>>,
    eof: bool,
}

impl<'a> BodyParseState<'a> {
    pub(super) fn is_redefined(&mut self, key: &'a str) -> bool {
        !self.attribute_keys.insert(key)
    }

    pub(super) fn on_ws(&mut self, span: Range<usize>) {
        if let Some(existing) = &self.ws {
            self.ws = Some(existing.start..span.end);
        } else {
            self.ws = Some(span);
        }
    }

    pub(super) fn on_structure(&mut self, mut structure: Structure) {
        if let Some(prefix) = self.ws.take() {
            structure
                .decor_mut()
                .set_prefix(RawString::from_span(prefix));
        }

        if push_structures() {
            // Into the list at once, where hcl-edit kept it aside until its line ending and then
            // moved it there: a structure is followed by its line ending or the end of the input
            // (or the parse fails with a cut error, and the state is dropped), and
            // `on_line_ending` adds its suffix there.
            reserve_first(&mut self.structures);
            self.structures.push(structure);
        } else {
            self.current = Some(structure);
        }
    }

    pub(super) fn on_line_ending(&mut self) {
        if push_structures() {
            let current = self.structures.last_mut().unwrap();
            if let Some(suffix) = self.ws.take() {
                current.decor_mut().set_suffix(RawString::from_span(suffix));
            }
            return;
        }

        let mut current = self.current.take().unwrap();

        if let Some(suffix) = self.ws.take() {
            current.decor_mut().set_suffix(RawString::from_span(suffix));
        }

        reserve_first(&mut self.structures);
        self.structures.push(current);
    }

    pub(super) fn on_eof(&mut self) {
        self.on_line_ending();
        self.eof = true;
    }

    pub(super) fn into_body(self) -> Body {
        let mut body = Body::from_vec_unchecked(self.structures);
        body.set_prefer_omit_trailing_newline(self.eof);
        body
    }
}

#[derive(Debug, Default)]
pub(super) struct ExprParseState {
    current: Option<Expression>,
    ws: Option<Range<usize>>,
    allow_newlines: bool,
    /// The length of the whitespace after the identifier just parsed, which the parser scanned
    /// and then left the input before (see `expr_term_inner`).
    term_ws: Option<usize>,
}

impl ExprParseState {
    pub(super) fn on_ws(&mut self, span: Range<usize>) {
        if let Some(existing) = &self.ws {
            self.ws = Some(existing.start..span.end);
        } else {
            self.ws = Some(span);
        }
    }

    pub(super) fn on_span(&mut self, span: Range<usize>) {
        if let Some(expr) = &mut self.current {
            expr.set_span(span);
        }
    }

    #[inline]
    pub(super) fn on_expr_term(&mut self, expr: impl Into<Expression>) {
        let mut expr = expr.into();

        if let Some(prefix) = self.ws.take() {
            expr.decor_mut().set_prefix(RawString::from_span(prefix));
        }

        self.current = Some(expr);
    }

    pub(super) fn on_traversal(&mut self, operators: Vec<Decorated<TraversalOperator>>) {
        let mut expr_term = self.current.take().unwrap();

        if let Some(suffix) = self.ws.take() {
            expr_term
                .decor_mut()
                .set_suffix(RawString::from_span(suffix));
        }

        let traversal = Traversal::new(expr_term, operators);
        let expr = Expression::Traversal(Box::new(traversal));
        self.current = Some(expr);
    }

    pub(super) fn on_conditional(&mut self, true_expr: Expression, false_expr: Expression) {
        let mut cond_expr = self.current.take().unwrap();

        if let Some(suffix) = self.ws.take() {
            cond_expr
                .decor_mut()
                .set_suffix(RawString::from_span(suffix));
        }

        let conditional = Conditional::new(cond_expr, true_expr, false_expr);
        let expr = Expression::Conditional(Box::new(conditional));
        self.current = Some(expr);
    }

    pub(super) fn on_binary_ops(&mut self, ops: Vec<(Decorated<BinaryOperator>, Expression)>) {
        let mut lhs_expr = self.current.take().unwrap();

        if let Some(suffix) = self.ws.take() {
            lhs_expr
                .decor_mut()
                .set_suffix(RawString::from_span(suffix));
        }

        let mut tokens = Vec::with_capacity(ops.len() * 2 + 1);
        tokens.push(BinaryOpToken::Expression(lhs_expr));

        for (operator, expr) in ops {
            tokens.push(BinaryOpToken::Operator(operator));
            tokens.push(BinaryOpToken::Expression(expr));
        }

        self.current = Some(parse_binary_op(tokens));
    }

    pub(super) fn set_term_ws(&mut self, len: usize) {
        self.term_ws = Some(len);
    }

    pub(super) fn take_term_ws(&mut self) -> Option<usize> {
        self.term_ws.take()
    }

    pub(super) fn allow_newlines(&mut self) {
        self.allow_newlines = true;
    }

    pub(super) fn newlines_allowed(&self) -> bool {
        self.allow_newlines
    }

    pub(super) fn into_expr(self) -> Expression {
        self.current.unwrap()
    }
}

impl Clone for ExprParseState {
    fn clone(&self) -> Self {
        ExprParseState {
            current: None,
            ws: None,
            allow_newlines: self.allow_newlines,
            term_ws: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser::tests_support::{outcome_exact, random_strings, random_token_strings};

    /// `AttributeKeys::insert` answers as `FnvHashSet::insert` (which hcl-edit used) for every
    /// sequence of keys, short and long ones (past the list's length) included.
    #[test]
    fn attribute_keys_equal_a_hash_set() {
        let keys = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"];
        let alphabet: Vec<char> = "abcdefghijklmnopqrstuvwxyz".chars().collect();
        let sequences = random_strings(&alphabet, 20_000, 60, 7);
        for (n, sequence) in sequences.iter().enumerate() {
            let mut listed = AttributeKeys::default();
            let mut hashed = FnvHashSet::default();
            let pieces: Vec<String> = sequence
                .chars()
                .enumerate()
                .map(|(i, c)| {
                    // Mix single letters (repeating often) with longer keys.
                    if (n + i) % 3 == 0 {
                        format!("{c}{}", keys[i % keys.len()])
                    } else {
                        c.to_string()
                    }
                })
                .collect();
            for key in &pieces {
                assert_eq!(
                    listed.insert(key.as_str()),
                    hashed.insert(key.as_str()),
                    "{pieces:?} at {key:?}"
                );
            }
        }
    }

    fn body_outcome_pushed(s: &str, push: bool) -> Result<(String, &str), (String, &str)> {
        PUSH_STRUCTURES.with(|p| p.set(push));
        let outcome = outcome_exact(super::super::structure::body, s);
        PUSH_STRUCTURES.with(|p| p.set(true));
        outcome
    }

    /// Pushing each structure into the body's list at once, and adding its suffix there at its
    /// line ending, builds the same bodies as keeping it aside until then: whole bodies parse the
    /// same both ways, errors and where the input was left included.
    #[test]
    fn pushed_structures_equal_structures_kept_aside() {
        let tokens = [
            "a", "b", " = ", "=", "1", "\"s\"", " ", "  ", "\t", "\n", "\r\n", "# c\n", "// c\n",
            "/* c */", "/*", "{", "}", "{\n", "}\n", "\"l\" ", "b {", "[", "]", ",",
        ];
        let mut parsed = 0;
        for s in random_token_strings(&tokens, 60_000, 16, 9) {
            for s in [format!("a = 1\n{s}"), format!("b {{\n{s}"), s.clone()] {
                let pushed = body_outcome_pushed(&s, true);
                assert_eq!(pushed, body_outcome_pushed(&s, false), "{s:?}");
                parsed += usize::from(pushed.is_ok());
            }
        }
        assert!(parsed > 1_000, "only {parsed} bodies parsed");
    }
}
