// The GraphQL API with the signed-in user's token: queries and mutations over HTTP, answers
// live over graphql-transport-ws (graphql-ws). Partial answers keep their errors: a page shows
// what came and says which fields are missing and why.
import { createClient } from 'graphql-ws'
import { reactive } from 'vue'
import { session, signOut } from './auth.js'

export const DEPARTMENTS = {
  police: '公安人口库',
  civil: '民政系统',
  urban: '城管系统',
  property: '物业系统',
  hotline: '12345 热线',
}

const CODES = {
  SOURCE_UNAVAILABLE: '部门系统暂不可用',
  SOURCE_MALFORMED: '部门系统返回了无法识别的数据',
  GRAPH_UNAVAILABLE: '关联图谱暂不可用',
  FORBIDDEN: '您的角色无权查看',
  UNAUTHENTICATED: '登录已失效，请重新登录',
  NOT_FOUND: '未找到',
  BAD_INPUT: '输入有误',
  QUERY_TOO_COMPLEX: '查询超出您角色的限额',
  BAD_STATE: '当前状态下不能这样操作',
  ALREADY_ANSWERED: '您已经填写过这份问卷，每人只能填写一次',
  NOT_IN_AUDIENCE: '这份问卷面向特定服务对象，您不在此次调查范围内',
}

export function describeError(error) {
  const ext = error.extensions || {}
  const where = (error.path || []).filter((p) => typeof p === 'string').join(' › ')
  const department = ext.connector ? DEPARTMENTS[ext.connector] || ext.connector : null
  const reason = CODES[ext.code] || error.message
  return { where, department, reason, code: ext.code || '', message: error.message }
}

export class GraphQLFailure extends Error {
  constructor(errors) {
    super(errors.map((e) => describeError(e).reason).join('；'))
    this.errors = errors
  }
}

function headers() {
  const h = { 'content-type': 'application/json', accept: 'application/json' }
  if (session.token) h.authorization = `Bearer ${session.token}`
  return h
}

// { data, errors, extensions }: data may be partial, errors then name the missing fields.
export async function request(query, variables = {}) {
  let response
  try {
    response = await fetch('/graphql', { method: 'POST', headers: headers(), body: JSON.stringify({ query, variables }) })
  } catch {
    throw new GraphQLFailure([{ message: '无法连接到数据枢纽，请检查网络' }])
  }
  let body
  try {
    body = await response.json()
  } catch {
    throw new GraphQLFailure([{ message: `数据枢纽返回 HTTP ${response.status}` }])
  }
  if (response.status === 401) {
    signOut()
    throw new GraphQLFailure(body.errors || [{ message: '登录已失效' }])
  }
  return { data: body.data ?? null, errors: body.errors ?? [], extensions: body.extensions ?? {} }
}

// A mutation or a query whose every error is a failure: the data, or GraphQLFailure.
export async function call(query, variables = {}) {
  const answer = await request(query, variables)
  if (answer.errors.length) throw new GraphQLFailure(answer.errors)
  return answer.data
}

// A reactive query for a page: loading, data (partial or whole), errors, reload().
export function useQuery(query, variables = () => ({})) {
  const state = reactive({ loading: false, data: null, errors: [], failed: null, extensions: {} })
  state.reload = async () => {
    state.loading = true
    state.failed = null
    try {
      const answer = await request(query, variables())
      Object.assign(state, { data: answer.data, errors: answer.errors, extensions: answer.extensions })
    } catch (failure) {
      Object.assign(state, { data: null, errors: failure.errors || [], failed: failure.message })
    } finally {
      state.loading = false
    }
  }
  return state
}

// The live connection's state, for pages that say whether answers arrive live.
export const live = reactive({ connected: false })

let wsClient = null
let wsToken = null

function socket() {
  if (wsClient && wsToken === session.token) return wsClient
  if (wsClient) wsClient.dispose()
  wsToken = session.token
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`
  wsClient = createClient({
    url,
    lazy: true,
    retryAttempts: 5,
    connectionParams: () => (session.token ? { Authorization: `Bearer ${session.token}` } : {}),
    on: {
      connected: () => (live.connected = true),
      closed: () => (live.connected = false),
    },
  })
  return wsClient
}

// Follow a subscription; returns the function that stops it.
export function subscribe(query, variables, onData, onError = () => {}) {
  return socket().subscribe(
    { query, variables },
    {
      next: (answer) => (answer.errors ? onError(new GraphQLFailure(answer.errors)) : onData(answer.data)),
      error: (error) => onError(error instanceof Error ? error : new Error('实时连接中断')),
      complete: () => {},
    },
  )
}

// Root fields the schema serves, read once at start-up: screens of domains not served (yet)
// stay out of the menu. Where introspection is off (production), the names `wanted` are asked
// bare in one document and those the validator does not know ("Cannot query field") are out.
export async function rootFields(wanted = []) {
  const query = '{ __schema { queryType { fields { name } } subscriptionType { fields { name } } } }'
  try {
    const schema = (await request(query)).data?.__schema
    if (schema) {
      return new Set([...schema.queryType.fields, ...(schema.subscriptionType?.fields || [])].map((f) => f.name))
    }
    const probe = await request(`{ ${wanted.map((name) => `${name}`).join(' ')} }`)
    const unknown = new Set(probe.errors.map((e) => /Cannot query field ['"](\w+)['"]/.exec(e.message)?.[1]).filter(Boolean))
    return new Set(wanted.filter((name) => !unknown.has(name)))
  } catch {
    return new Set()
  }
}

export function percent(value) {
  return value == null ? '—' : `${(value * 100).toFixed(1)}%`
}

export function shortTime(iso) {
  if (!iso) return '—'
  return new Date(iso).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false })
}
