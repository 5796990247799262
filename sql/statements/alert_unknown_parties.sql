-- Parties of enabled deals that are not organization ids: such a deal can never match.
SELECT d.id, p.party
FROM tracked_deals d, unnest(d.parties) AS p (party)
WHERE d.enabled AND NOT EXISTS (SELECT 1 FROM organizations o WHERE o.id = p.party)
ORDER BY d.id, p.party
