-- Organization mentions found by descriptor or legal-form patterns ("battery maker Varta",
-- "Ostwind Logistik GmbH") are neither registry matches nor model output: say so.
ALTER TABLE org_mentions DROP CONSTRAINT org_mentions_source_check;
ALTER TABLE org_mentions ADD CONSTRAINT org_mentions_source_check
    CHECK (source IN ('registry', 'model', 'pattern'));
