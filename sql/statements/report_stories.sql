-- Latest stories for `newsflow stories` and the HTML report, newest activity first.
SELECT story_id, title, title_en, title_de, languages, outlets, outlet_count, article_count,
       first_seen, last_seen, organizations, organization_ids, amounts
FROM story_overview
WHERE last_seen >= %(since)s
  AND (%(org)s::text IS NULL OR %(org)s = ANY(organization_ids)
       OR EXISTS (SELECT 1 FROM organizations o
                  WHERE o.id = %(org)s AND o.name = ANY(story_overview.organizations)))
ORDER BY last_seen DESC, story_id
LIMIT %(limit)s
