// A centred note inside a view (empty selection, unsupported content, errors).
import type { ReactNode } from 'react'

export function ViewMessage({ children, tone = 'info' }: { children: ReactNode; tone?: 'info' | 'error' }) {
  return <div className={`view-message view-message-${tone}`}>{children}</div>
}
