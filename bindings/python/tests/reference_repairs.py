"""Where growthbook 1.1.0 raises instead of answering, the answer the python-1.1.0 profile
gives, defined as 1.1.0 with the one failing expression made total (docs/semantics.md row 28).
The oracle evaluates every case plainly first; only a case that raised is evaluated again with
these repairs installed, and the harness compares the library with that answer (the reference
result then carries "raised": the exception 1.1.0 gave).

Each repair changes nothing where 1.1.0 answers:
1. An operator that raises is false, as 1.1.0 itself makes $eq...$gte and $regex false on any
   exception: $in/$nin with a list or object item beside an array attribute (`set()` of an
   unhashable item), $all with an operand that is not iterable.
2. A condition that raises is false: one that is not an object (`{"$and": [5]}`), a logical
   operator whose operand has no length or cannot be iterated (`{"$or": 5}`). Each call of
   evalCondition is repaired on its own (the function calls itself through the module), so
   `{"$not": 5}` passes.
3. A parent condition without "condition" (or null) is `{}`: it passes, as the JS SDK reads it
   (`parentCondition.condition || {}`); 1.1.0 evaluates None and raises.
4. A filter with `"seed": null` hashes as one without a seed (""): 1.1.0 adds None to a string.
5. A query-string value of digits that are not decimal ("²": `isdigit()` passes, `int()`
   raises) is no override."""


def install(growthbook):
    """Patches the reference module in place (its functions look each other up as module
    globals, so the methods of GrowthBook see the patched ones too)."""
    operator = growthbook.evalOperatorCondition

    def eval_operator_condition(op, attribute_value, condition_value):
        try:
            return operator(op, attribute_value, condition_value)
        except Exception:
            return False

    growthbook.evalOperatorCondition = eval_operator_condition

    condition = growthbook.evalCondition

    def eval_condition(attributes, cond):
        try:
            return condition(attributes, cond)
        except Exception:
            return False

    growthbook.evalCondition = eval_condition

    prereqs = growthbook.GrowthBook.eval_prereqs

    def eval_prereqs(self, parent_conditions, stack):
        fixed = [dict(p, condition={}) if isinstance(p, dict) and p.get("condition") is None else p
                 for p in parent_conditions]
        return prereqs(self, fixed, stack)

    growthbook.GrowthBook.eval_prereqs = eval_prereqs

    gbhash = growthbook.gbhash

    def hash_(seed, value, version):
        return gbhash("" if seed is None else seed, value, version)

    growthbook.gbhash = hash_

    query = growthbook.getQueryStringOverride

    def get_query_string_override(id, url, num_variations):
        try:
            return query(id, url, num_variations)
        except ValueError:
            return None

    growthbook.getQueryStringOverride = get_query_string_override
