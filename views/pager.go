package views

import "strconv"

// First is the 1-based number of the first row shown.
func (p Pager) First() int {
	if p.Total == 0 {
		return 0
	}
	return p.Offset + 1
}

// Last is the 1-based number of the last row shown.
func (p Pager) Last() int { return min(p.Offset+p.Limit, p.Total) }

// HasPrev reports whether there is a page before this one.
func (p Pager) HasPrev() bool { return p.Offset > 0 }

// HasNext reports whether there is a page after this one.
func (p Pager) HasNext() bool { return p.Offset+p.Limit < p.Total }

// Page is the 1-based number of this page.
func (p Pager) Page() int { return p.Offset/max(p.Limit, 1) + 1 }

// Pages is the number of pages.
func (p Pager) Pages() int { return max((p.Total+max(p.Limit, 1)-1)/max(p.Limit, 1), 1) }

// At links to the page whose first row is offset.
func (p Pager) At(offset int) string {
	o := ""
	if offset > 0 {
		o = strconv.Itoa(offset)
	}
	return Href(p.Path, p.Query, "offset", o)
}

// PrevHref links to the previous page.
func (p Pager) PrevHref() string { return p.At(max(p.Offset-p.Limit, 0)) }

// NextHref links to the next page.
func (p Pager) NextHref() string { return p.At(p.Offset + p.Limit) }

// LastHref links to the last page.
func (p Pager) LastHref() string { return p.At((p.Pages() - 1) * p.Limit) }
