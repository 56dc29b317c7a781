package server

// Imports of the organisation (package orgsheet): the unit tree and the
// accounts a city keeps in spreadsheets, judged whole and written all or
// nothing, as the command line's `fazhi import` does.

import (
	"context"
	"fmt"
	"mime/multipart"
	"net/http"

	"github.com/fazhi/fazhi/api"
	"github.com/fazhi/fazhi/orgsheet"
	"github.com/fazhi/fazhi/password"
	"github.com/fazhi/fazhi/sheet"
)

// OrgImportHandler serves the imports of units and accounts.
type OrgImportHandler struct {
	store  orgsheet.Store
	hasher *password.Hasher
	limit  int64 // the largest file taken
}

// ImportUnits implements importUnits.
func (h *OrgImportHandler) ImportUnits(ctx context.Context, req api.ImportUnitsRequestObject) (api.ImportUnitsResponseObject, error) {
	dryRun := req.Params.DryRun != nil && *req.Params.DryRun
	out, err := h.run(ctx, req.Body, orgsheet.UnitColumns(), func(tab *sheet.Table) (orgsheet.Report, error) {
		return orgsheet.ImportUnits(ctx, h.store, tab, dryRun)
	}, dryRun)
	if err != nil {
		return nil, err
	}
	return api.ImportUnits200JSONResponse(out), nil
}

// ImportUsers implements importUsers.
func (h *OrgImportHandler) ImportUsers(ctx context.Context, req api.ImportUsersRequestObject) (api.ImportUsersResponseObject, error) {
	dryRun := req.Params.DryRun != nil && *req.Params.DryRun
	out, err := h.run(ctx, req.Body, orgsheet.UserColumns(), func(tab *sheet.Table) (orgsheet.Report, error) {
		return orgsheet.ImportUsers(ctx, h.store, tab, password.NewInitial, h.hasher.Hash, dryRun)
	}, dryRun)
	if err != nil {
		return nil, err
	}
	return api.ImportUsers200JSONResponse(out), nil
}

// run reads the uploaded file, imports it, and answers with the report, or
// refuses the file whole with its bad cells when it is no dry run.
func (h *OrgImportHandler) run(ctx context.Context, body *multipart.Reader, cols []sheet.Column,
	importFile func(tab *sheet.Table) (orgsheet.Report, error), dryRun bool) (api.OrgImportReport, error) {
	data, name, err := receiveFile(body, h.limit)
	if err != nil {
		return api.OrgImportReport{}, err
	}
	tab, probs, err := readSheet(data, name, cols)
	if err != nil {
		return api.OrgImportReport{}, err
	}
	var report orgsheet.Report
	if len(probs) == 0 {
		if len(tab.Rows) > orgsheet.MaxRows {
			return api.OrgImportReport{}, newHTTPError(http.StatusRequestEntityTooLarge, "payload_too_large",
				"%d rows: an import takes at most %d", len(tab.Rows), orgsheet.MaxRows)
		}
		if report, err = importFile(tab); err != nil {
			return api.OrgImportReport{}, err
		}
		probs = report.Problems
	}
	cells := cellProblems(tab, probs)
	if len(probs) > 0 && !dryRun {
		return api.OrgImportReport{}, &httpError{status: http.StatusUnprocessableEntity, code: "sheet_invalid", cells: cells,
			detail: fmt.Sprintf("%d problems in the file (the first: %s); nothing was imported", len(probs), probs[0])}
	}
	out := api.OrgImportReport{DryRun: dryRun, Sheet: report.Sheet, Rows: int32(report.Rows), Created: int32(report.Created),
		ProblemCount: int32(len(probs)), Problems: cells}
	if tab != nil {
		out.Sheet = tab.Sheet
	}
	if len(report.Credentials) > 0 {
		creds := make([]api.Credential, len(report.Credentials))
		for i, c := range report.Credentials {
			creds[i] = api.Credential{Username: c.Username, Password: c.Password}
		}
		out.Credentials = &creds
	}
	return out, nil
}
