-- Organization parents, for rolling mentions up to the top organization ("AWS" -> Amazon).
SELECT id, parent_id FROM organizations WHERE parent_id IS NOT NULL
