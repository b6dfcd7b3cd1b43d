// Package helpers mirrors the shape of the value VSO hands to its templates, so that `{{ . }}`,
// `%T` and field errors name the same type (*helpers.SecretInput) as they do in VSO.
package helpers

// SecretInput has VSO's template input fields, in VSO's order.
type SecretInput struct {
	Secrets     map[string]any `json:"secrets"`
	WrapData    map[string]any `json:"wrapData,omitempty"`
	Metadata    map[string]any `json:"metadata"`
	Annotations map[string]any `json:"annotations"`
	Labels      map[string]any `json:"labels"`
}
