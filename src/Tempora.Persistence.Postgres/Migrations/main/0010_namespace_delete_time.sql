-- Namespace deletion: when the row of a namespace deleted through DeleteNamespace may itself go, once every other row
-- of the namespace is gone. NULL for a namespace that is not being deleted (a namespace set to Deleted through
-- UpdateNamespace keeps its data, as on Temporal).
ALTER TABLE namespaces ADD COLUMN delete_time TIMESTAMPTZ;
