// Keeps one broken view from blanking the whole figure: it shows its error in place.
import { Component, type ReactNode } from 'react'

interface State {
  error?: Error
}

export class ViewErrorBoundary extends Component<{ children: ReactNode; viewType: string }, State> {
  override state: State = {}

  static getDerivedStateFromError(error: Error): State {
    return { error }
  }

  override render(): ReactNode {
    if (this.state.error) {
      return (
        <div className="view-message view-message-error">
          The {this.props.viewType} view failed: {this.state.error.message}
        </div>
      )
    }
    return this.props.children
  }
}
