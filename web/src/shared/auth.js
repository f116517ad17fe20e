// Who is signed in: a bearer token kept for this tab (sessionStorage), from the demo's picker
// or, in production, the identity provider's OIDC login (authorization code + PKCE).
import { reactive } from 'vue'

const KEY = 'hub.session'
const PKCE_KEY = 'hub.oidc'

export const session = reactive(load())

function load() {
  try {
    return JSON.parse(sessionStorage.getItem(KEY)) || { token: null, label: '', role: '', subject: '', jurisdictions: [] }
  } catch {
    return { token: null, label: '', role: '', subject: '', jurisdictions: [] }
  }
}

export function signIn(choice) {
  Object.assign(session, {
    token: choice.token,
    label: choice.label,
    role: choice.role,
    subject: choice.subject,
    jurisdictions: choice.jurisdictions || [],
  })
  sessionStorage.setItem(KEY, JSON.stringify(session))
}

export function signOut() {
  Object.assign(session, { token: null, label: '', role: '', subject: '', jurisdictions: [] })
  sessionStorage.removeItem(KEY)
}

export async function signInConfig() {
  const response = await fetch('/auth/config')
  if (!response.ok) throw new Error(`登录配置读取失败（HTTP ${response.status}）`)
  return response.json()
}

export async function demoChoices() {
  const response = await fetch('/auth/demo')
  if (!response.ok) throw new Error(`演示账号读取失败（HTTP ${response.status}）`)
  return response.json()
}

// OIDC: authorization code flow with PKCE (RFC 7636), public client, in the browser.
function randomText(bytes) {
  const values = crypto.getRandomValues(new Uint8Array(bytes))
  return base64url(values)
}

function base64url(bytes) {
  let text = ''
  for (const b of bytes) text += String.fromCharCode(b)
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

async function discovery(issuer) {
  const response = await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`)
  if (!response.ok) throw new Error(`身份认证服务不可用（HTTP ${response.status}）`)
  return response.json()
}

export async function startOidc(oidc) {
  const meta = await discovery(oidc.issuer)
  const verifier = randomText(32)
  const state = randomText(16)
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))
  const redirect = location.origin + location.pathname
  sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state, redirect }))
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: oidc.clientId,
    redirect_uri: redirect,
    scope: 'openid profile',
    state,
    code_challenge: base64url(new Uint8Array(digest)),
    code_challenge_method: 'S256',
  })
  location.assign(`${meta.authorization_endpoint}?${query}`)
}

// Back from the identity provider with ?code=…&state=…: exchange the code for tokens.
export async function finishOidc(oidc) {
  const params = new URLSearchParams(location.search)
  const saved = JSON.parse(sessionStorage.getItem(PKCE_KEY) || 'null')
  if (!params.get('code') || !saved) return false
  sessionStorage.removeItem(PKCE_KEY)
  if (params.get('state') !== saved.state) throw new Error('登录状态不符，请重新登录')
  const meta = await discovery(oidc.issuer)
  const response = await fetch(meta.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: params.get('code'),
      redirect_uri: saved.redirect,
      client_id: oidc.clientId,
      code_verifier: saved.verifier,
    }),
  })
  if (!response.ok) throw new Error(`登录失败（HTTP ${response.status}）`)
  const tokens = await response.json()
  const token = tokens.access_token || tokens.id_token
  const claims = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')))
  const roles = claims.roles || []
  signIn({ token, label: claims.name || claims.sub, role: roles[0] || '', subject: claims.sub,
    jurisdictions: [].concat(claims.jurisdiction || []) })
  history.replaceState(null, '', saved.redirect)
  return true
}
