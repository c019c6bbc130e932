package dev.cmwq.autoconfigure;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.cmwq.core.Work;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * How an item ended is told by the engine, once, through {@code Work.done}: the Spring glue never looks at an item's
 * task to decide how to report it.
 */
class AnswerPathArchitectureTests {

	private final JavaClasses glue = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages("dev.cmwq.spring", "dev.cmwq.autoconfigure");

	@Test
	void theGlueNeverInspectsAnItemsTask() {
		noClasses().should().callMethod(Work.class, "task").check(this.glue);
	}

}
