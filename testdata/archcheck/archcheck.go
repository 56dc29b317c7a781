// Package archcheck is a package that breaks the lifecycle rule on purpose,
// for the architecture test to show that it finds the breach: a status
// assigned outside models. Its filter and its literal are not transitions.
package archcheck

import "github.com/fazhi/fazhi/models"

// Approve assigns a status where only the domain may.
func Approve(v *models.IndicatorValue) {
	v.Status = models.ValueApproved
}

// Filter selects approved values: a filter, not a transition.
func Filter() models.ValueFilter {
	var f models.ValueFilter
	f.Status = models.ValueApproved
	return f
}

// Seed is a literal, as demo data writes them: not a transition.
func Seed() *models.IndicatorValue {
	return &models.IndicatorValue{Status: models.ValueApproved}
}
