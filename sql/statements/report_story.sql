SELECT story_id, title, title_en, title_de, languages, outlets, outlet_count, article_count,
       first_seen, last_seen, organizations, organization_ids, amounts
FROM story_overview WHERE story_id = %(id)s
