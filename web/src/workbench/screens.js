// The workbench's screens. A screen is in the menu only when the schema serves every root field
// it `needs` (read by introspection at start-up, or probed where it is off: query fields only, a
// subscription cannot be probed): a hub without a domain (精准服务, 预警) shows no screen for it.
import { defineAsyncComponent } from 'vue'

export const SCREENS = [
  { key: 'overview', title: '概览', needs: ['kpis', 'opinions', 'plans'], view: () => import('./views/Overview.vue') },
  { key: 'hotspots', title: '热点', needs: ['hotspots', 'places'], view: () => import('./views/Hotspots.vue') },
  { key: 'council', title: '议事', needs: ['agenda', 'plans', 'councilSessions'], view: () => import('./views/Council.vue') },
  { key: 'services', title: '服务', needs: ['serviceModules', 'targetGroups', 'serviceSuggestions', 'serviceProjects'], view: () => import('./views/Services.vue') },
  { key: 'alerts', title: '预警', needs: ['alerts', 'alertCounts'], view: () => import('./views/Alerts.vue') },
  { key: 'entities', title: '人/地/事/物/组织', needs: ['people', 'places', 'events', 'things', 'organizations'], view: () => import('./views/Entities.vue') },
  { key: 'links', title: '关联审核', needs: ['linkCandidates'], view: () => import('./views/LinkReview.vue') },
  { key: 'audit', title: '审计', needs: ['accessLog', 'accessPolicy'], view: () => import('./views/Audit.vue') },
].map((screen) => ({ ...screen, component: defineAsyncComponent(screen.view) }))

// Mutations are not in the query root: those a screen needs are checked when they are used.
export function served(screen, fields) {
  return screen.needs.every((name) => fields.has(name))
}
